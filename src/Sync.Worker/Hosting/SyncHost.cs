using MessageSync.Worker.Options;
using Microsoft.Extensions.Configuration.Json;

namespace MessageSync.Worker.Hosting;

/// <summary>What the host is built for.</summary>
public enum HostMode
{
    /// <summary>The always-on service: every service, pollers included, HTTP endpoints on <c>Sync:Http:Urls</c>.</summary>
    Run,

    /// <summary>A backfill: relay and consumers, no pollers and no listener.</summary>
    Backfill,

    /// <summary>A one-shot tool verb that needs only the state store and the options.</summary>
    Tool,

    /// <summary><c>config check</c> and <c>check</c>: registered exactly as <see cref="Run"/> (so validated the same), never started.</summary>
    Check,
}

/// <summary>Builds the Generic Host every verb runs in; <see cref="HostMode"/> decides which services start.</summary>
public static class SyncHost
{
    /// <summary>Environment variable naming an extra appsettings file (a mounted Kubernetes ConfigMap), reloaded on change.</summary>
    public const string ConfigFileVariable = "SYNC_CONFIG_FILE";

    public static WebApplicationBuilder CreateBuilder(string[] configurationArgs, HostMode mode)
    {
        // A settings file the JSON provider would choke on is refused first, in one line naming file, line and key.
        foreach (var (path, optional) in SettingsFiles())
        {
            SettingsFile.EnsureUsable(path, optional);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = configurationArgs,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Every settings file through SettingsFileProvider, so a broken edit is refused while the last good values stay.
        var watch = new SettingsFileWatch();
        builder.Services.AddSingleton(watch);
        var sources = builder.Configuration.Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource { Path: { } path } json)
            {
                sources[i] = new SettingsFileSource(Path.Combine(builder.Environment.ContentRootPath, path), json.Optional, json.ReloadOnChange, watch);
            }
        }

        var extra = ExtraSettingsFile();
        if (extra is not null)
        {
            // Later sources win: re-add environment and command line so they still override the mounted file.
            sources.Add(new SettingsFileSource(extra, optional: false, reloadOnChange: true, watch));
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddCommandLine(configurationArgs);
        }

        builder.AddSyncLogging(mode);
        builder.AddSyncOptions();
        builder.AddSyncServices(mode);

        var http = builder.Configuration.GetSection($"{SyncOptions.Section}:{nameof(SyncOptions.Http)}").Get<HttpEndpointOptions>() ?? new HttpEndpointOptions();
        if (mode == HostMode.Run && http.Enabled)
        {
            builder.WebHost.UseUrls(http.Urls);
        }
        else
        {
            // No listener for tools and backfills: several may run beside the always-on service.
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        return builder;
    }

    /// <summary>The settings files, in the order they are read: the content root's appsettings, then <see cref="ConfigFileVariable"/>'s.</summary>
    public static IEnumerable<(string Path, bool Optional)> SettingsFiles()
    {
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production;
        yield return (Path.Combine(AppContext.BaseDirectory, "appsettings.json"), true);
        yield return (Path.Combine(AppContext.BaseDirectory, $"appsettings.{environment}.json"), true);
        if (ExtraSettingsFile() is { } extra)
        {
            yield return (extra, false);
        }
    }

    private static string? ExtraSettingsFile() =>
        Environment.GetEnvironmentVariable(ConfigFileVariable) is { Length: > 0 } extra && !string.IsNullOrWhiteSpace(extra) ? Path.GetFullPath(extra) : null;
}
