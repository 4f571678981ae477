using MessageSync.Worker.Options;

namespace MessageSync.Worker.Hosting;

/// <summary>What the host is started for: the always-on service, a backfill run, or a one-shot tool verb.</summary>
public enum HostMode
{
    Run,
    Backfill,
    Tool,
}

/// <summary>Builds the Generic Host every verb runs in; <see cref="HostMode"/> decides which services start.</summary>
public static class SyncHost
{
    /// <summary>Environment variable naming an extra appsettings file (a mounted Kubernetes ConfigMap), reloaded on change.</summary>
    public const string ConfigFileVariable = "SYNC_CONFIG_FILE";

    public static WebApplicationBuilder CreateBuilder(string[] configurationArgs, HostMode mode)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = configurationArgs,
            ContentRootPath = AppContext.BaseDirectory,
        });

        var extra = Environment.GetEnvironmentVariable(ConfigFileVariable);
        if (!string.IsNullOrWhiteSpace(extra))
        {
            // Later sources win: re-add environment and command line so they still override the mounted file.
            builder.Configuration.AddJsonFile(Path.GetFullPath(extra), optional: false, reloadOnChange: true);
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
}
