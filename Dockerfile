# syntax=docker/dockerfile:1
# MessageSync worker. Build: docker build -t messagesync .   Run: docker run -v sync-data:/app/data messagesync
# The build stage runs the same restore and publish commands as scripts/publish.sh (CI runs that script).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore from the project files alone, so the layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Sync.Core/Sync.Core.csproj src/Sync.Core/
COPY src/Sync.Adapters/Sync.Adapters.csproj src/Sync.Adapters/
COPY src/Sync.Worker/Sync.Worker.csproj src/Sync.Worker/
RUN dotnet restore src/Sync.Worker/Sync.Worker.csproj

COPY src/ src/
RUN dotnet publish src/Sync.Worker/Sync.Worker.csproj -c Release --no-restore -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish .

# State (SQLite) lives on a volume; the image's non-root user owns it.
RUN mkdir -p /app/data && chown -R $APP_UID /app/data
VOLUME /app/data

# Inside a container the probes and webhooks must be reachable on the pod address, not only on loopback.
ENV Sync__Http__Urls=http://+:8080 \
    Sync__Logging__Format=Json \
    DOTNET_USE_POLLING_FILE_WATCHER=true
EXPOSE 8080

USER $APP_UID
ENTRYPOINT ["dotnet", "Sync.Worker.dll"]
CMD ["run"]
