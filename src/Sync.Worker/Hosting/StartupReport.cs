using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Worker.Http;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Hosting;

/// <summary>
/// Says at start what the worker will do: transport, state file, configured systems, every link that opted in to
/// delivering replies via Pylon (the delivery rule asks for it), settings it ignores (a typo in a key), and, with no
/// link, what to configure and where.
/// </summary>
/// <remarks>It also takes the <see cref="PrometheusExporter"/>, so the exporter listens from the start: a meter listener
/// created at the first scrape would miss every count made before it.</remarks>
public sealed partial class StartupReport(
    SyncSettings settings, ILinkProvider links, IEnumerable<IMessageSystem> systems, IConfiguration configuration, PrometheusExporter exporter,
    ILogger<StartupReport> logger)
    : IHostedService
{
    public PrometheusExporter Exporter { get; } = exporter;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = settings.Current;
        var configured = systems.Select(s => s.System.ToString()).ToList();
        LogStarting(logger, options.Transport, configuration[$"{SyncOptions.Section}:State:Path"] ?? "data/sync.db",
            configured.Count == 0 ? "none" : string.Join(", ", configured));

        foreach (var unknown in EffectiveConfiguration.Unknown(configuration))
        {
            LogUnknownSetting(logger, unknown.Problem, unknown.Source);
        }

        var current = await links.GetLinksAsync(cancellationToken);
        if (current.Count == 0)
        {
            LogNoLinks(logger);
        }

        foreach (var link in current.Where(l => l.DeliverRepliesVia == ReplyDelivery.Pylon))
        {
            LogOptIn(logger, link.Id);
        }

        settings.Changed += OnReload;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        settings.Changed -= OnReload;
        return Task.CompletedTask;
    }

    private void OnReload(SyncOptions options)
    {
        foreach (var link in options.Links.Where(l => l.DeliverRepliesVia == ReplyDelivery.Pylon))
        {
            LogOptIn(logger, link.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MessageSync starting: transport {Transport}, state {StatePath}, systems configured: {Systems}")]
    private static partial void LogStarting(ILogger logger, TransportKind transport, string statePath, string systems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Setting ignored: {Problem} (set in {Source})")]
    private static partial void LogUnknownSetting(ILogger logger, string problem, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No link is configured, so there is nothing to sync yet; the worker keeps running and picks links up without a restart. Add one under Sync:Links in appsettings.json (example: config/appsettings.example.json), or run `Sync.Worker links add ID --pylon ISSUE --helpdesk TICKET --cord THREAD`; configure the systems under Sync:Pylon, Sync:Helpdesk and Sync:Cord")]
    private static partial void LogNoLinks(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {LinkId} delivers agent replies via Pylon (DeliverRepliesVia: Pylon): replies written in the helpdesk are posted as Pylon replies and reach the customer through Pylon (replies from Cord stay labelled notes). Agents must answer in the helpdesk with e-mail off")]
    private static partial void LogOptIn(ILogger logger, string linkId);
}
