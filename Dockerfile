# syntax=docker/dockerfile:1
# MessageSync worker. Build: docker build -t messagesync .   Run: docker run -v sync-data:/app/data messagesync
# The build stage runs the same restore and publish commands as scripts/publish.sh (CI runs that script; a test in
# tests/Sync.Worker.Tests checks the two stay identical).
#
# RUNTIME_IDENTIFIER picks the one platform whose native SQLite library the image ships (the runtime image is
# linux-x64; an arm64 image is built with --build-arg RUNTIME_IDENTIFIER=linux-arm64 on an arm64 base).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG RUNTIME_IDENTIFIER=linux-x64
WORKDIR /src

# Restore from the project files alone, so the layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Sync.Core/Sync.Core.csproj src/Sync.Core/
COPY src/Sync.Adapters/Sync.Adapters.csproj src/Sync.Adapters/
COPY src/Sync.Worker/Sync.Worker.csproj src/Sync.Worker/
RUN dotnet restore src/Sync.Worker/Sync.Worker.csproj -r "$RUNTIME_IDENTIFIER"

COPY src/ src/
RUN dotnet publish src/Sync.Worker/Sync.Worker.csproj -c Release -r "$RUNTIME_IDENTIFIER" --self-contained false --no-restore -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish .

# State (SQLite) lives on a volume; the image's non-root user owns it. Nothing else is written: the root filesystem
# can be mounted read-only (config/k8s does), with /tmp writable for the runtime's diagnostics socket.
RUN mkdir -p /app/data && chown -R $APP_UID /app/data
VOLUME /app/data

# Inside a container the probes and webhooks must be reachable on the pod address, not only on loopback.
ENV Sync__Http__Urls=http://+:8080 \
    Sync__Logging__Format=Json \
    DOTNET_USE_POLLING_FILE_WATCHER=true
EXPOSE 8080

# The runtime image has no curl or wget: the worker's own `health` verb asks /healthz on Sync:Http:Urls (a wildcard
# host becomes loopback) and exits 0 when it answers 200, 1 otherwise. Kubernetes ignores HEALTHCHECK and uses the
# manifests' probes on the same endpoints.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["dotnet", "Sync.Worker.dll", "health"]

USER $APP_UID
ENTRYPOINT ["dotnet", "Sync.Worker.dll"]
CMD ["run"]
