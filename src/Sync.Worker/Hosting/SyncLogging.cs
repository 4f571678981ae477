using MessageSync.Worker.Options;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace MessageSync.Worker.Hosting;

/// <summary>
/// Serilog in two stages (serilog-extensions-hosting's sample): a bootstrap logger catches start-up
/// failures before configuration is read; the configured logger replaces it once the host is built.
/// <c>run</c> logs to stdout (a container's log stream); every other verb logs to stderr only, so its stdout is the
/// answer (<c>status --json | jq</c>).
/// </summary>
public static class SyncLogging
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Where a verb's log lines go: stderr for everything but the always-on service.</summary>
    public static bool LogsToStandardError(HostMode mode) => mode != HostMode.Run;

    public static Serilog.ILogger CreateBootstrapLogger(string[] args, HostMode mode)
    {
        var json = args.Any(a => a.Replace("__", ":", StringComparison.Ordinal).Contains("Logging:Format=Json", StringComparison.OrdinalIgnoreCase))
            || string.Equals(Environment.GetEnvironmentVariable("Sync__Logging__Format"), "Json", StringComparison.OrdinalIgnoreCase);
        var configuration = new LoggerConfiguration().MinimumLevel.Information().Enrich.With<SecretMaskingEnricher>();
        return WriteToConsole(configuration, json, LogsToStandardError(mode)).CreateLogger();
    }

    /// <summary>Replaces the host's logging providers with Serilog configured from <c>Sync:Logging</c>.</summary>
    public static IHostApplicationBuilder AddSyncLogging(this IHostApplicationBuilder builder, HostMode mode)
    {
        var options = builder.Configuration.GetSection($"{SyncOptions.Section}:{nameof(SyncOptions.Logging)}").Get<LoggingOptions>() ?? new LoggingOptions();
        // One switch, moved by LogLevelFollower when Sync:Logging:MinimumLevel is reloaded.
        var level = new LoggingLevelSwitch(ParseLevel(options.MinimumLevel));
        builder.Services.AddSingleton(level);
        builder.Services.AddHostedService<LogLevelFollower>();
        var configuration = new LoggerConfiguration()
            .MinimumLevel.ControlledBy(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            // The host's own "failed to start" stack trace would bury HostRunner's one-line reason.
            .MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", LogEventLevel.Fatal)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            // MassTransit logs every reconnect attempt with a stack trace; OutboxRelay says the same in one line.
            .MinimumLevel.Override("MassTransit", LogEventLevel.Error)
            .Enrich.FromLogContext()
            .Enrich.With<SecretMaskingEnricher>();

        configuration = WriteToConsole(configuration, options.Format == LogFormat.Json, LogsToStandardError(mode));

        if (!string.IsNullOrWhiteSpace(options.File))
        {
            configuration = configuration.WriteTo.Async(a => a.File(new JsonFormatter(renderMessage: true), options.File, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 7));
        }

        var logger = configuration.CreateLogger();
        Log.Logger = logger;
        builder.Logging.ClearProviders();
        // Serilog's switch is the one filter: Microsoft.Extensions.Logging would otherwise drop Debug before Serilog sees it.
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        // Not disposed with the host: a fatal start-up error is still written after the host is gone (HostRunner flushes).
        builder.Logging.AddSerilog(logger, dispose: false);
        return builder;
    }

    /// <summary>A <c>Sync:Logging:MinimumLevel</c> value (validated: Verbose ... Fatal); Information when absent.</summary>
    public static LogEventLevel ParseLevel(string? value) =>
        Enum.TryParse<LogEventLevel>(value, ignoreCase: true, out var parsed) ? parsed : LogEventLevel.Information;

    private static LoggerConfiguration WriteToConsole(LoggerConfiguration configuration, bool json, bool standardError)
    {
        // Every level at or above this one goes to stderr: Verbose sends everything there.
        LogEventLevel? toStandardError = standardError ? LogEventLevel.Verbose : null;
        return json
            ? configuration.WriteTo.Console(new JsonFormatter(renderMessage: true), standardErrorFromLevel: toStandardError)
            : configuration.WriteTo.Console(outputTemplate: TextTemplate, standardErrorFromLevel: toStandardError);
    }
}

/// <summary>
/// Last line of defence for "no token is ever logged": any property whose name says it holds a secret is
/// replaced, and bearer tokens or JWTs inside string values are masked.
/// </summary>
public sealed class SecretMaskingEnricher : ILogEventEnricher
{
    private static readonly string[] SecretNames = ["token", "secret", "password", "authorization", "jwt", "apikey", "api_key"];

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (SecretNames.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase)))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue("***")));
            }
            else if (value is ScalarValue { Value: string text } && SecretMask.ContainsSecret(text))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(SecretMask.Mask(text))));
            }
        }
    }
}

/// <summary>Applies a reloaded <c>Sync:Logging:MinimumLevel</c> to the running logger, before the "reloaded" line is written.</summary>
public sealed class LogLevelFollower(SyncSettings settings, LoggingLevelSwitch level) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        settings.Changed += Apply;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        settings.Changed -= Apply;
        return Task.CompletedTask;
    }

    private void Apply(SyncOptions options) => level.MinimumLevel = SyncLogging.ParseLevel(options.Logging.MinimumLevel);
}
