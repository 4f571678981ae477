using MessageSync.Adapters.Webhooks;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Ownership;

namespace MessageSync.Worker.Http;

/// <summary>
/// <c>/webhooks/{system}</c> (a verified webhook only makes the poller look at a conversation now), <c>/healthz</c> (the
/// process is alive), <c>/readyz</c> (state store answers, relay publishing, no system paused) and <c>/metrics</c>.
/// </summary>
public static partial class SyncEndpoints
{
    /// <summary>Webhook bodies larger than this are refused before they are read (a hint is a few hundred bytes).</summary>
    public const int MaxWebhookBytes = 256 * 1024;

    public static WebApplication MapSyncEndpoints(this WebApplication app)
    {
        app.MapPost("/webhooks/{system}", ReceiveWebhookAsync);
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", ReadyAsync);
        app.MapGet("/metrics", MetricsAsync);
        return app;
    }

    private static async Task<IResult> ReceiveWebhookAsync(
        string system, HttpRequest request, IEnumerable<IWebhookVerifier> verifiers, HintForwarder hints, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("MessageSync.Webhooks");
        if (!Enum.TryParse<SystemId>(system, ignoreCase: true, out var id))
        {
            return Results.NotFound();
        }

        var verifier = verifiers.FirstOrDefault(v => v.System == id);
        if (verifier is null)
        {
            LogRefused(logger, id, "NotConfigured", "no webhook secret is configured for this system");
            return Results.NotFound();
        }

        if (request.ContentLength > MaxWebhookBytes)
        {
            LogRefused(logger, id, "TooLarge", $"{request.ContentLength} bytes");
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxWebhookBytes)
            {
                LogRefused(logger, id, "TooLarge", "body over the limit");
                return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            }
        }

        var outcome = verifier.Verify(name => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null, buffer.ToArray());
        switch (outcome)
        {
            case WebhookAccepted accepted:
                var hinted = await hints.HintAsync(accepted.Hint.System, accepted.Hint.ConversationId, cancellationToken);
                LogHint(logger, id, accepted.Hint.ConversationId, hinted);
                return Results.Accepted();
            case WebhookAcknowledged:
                return Results.Ok();
            case WebhookRejected rejected:
                LogRefused(logger, id, rejected.Reason.ToString(), rejected.Detail);
                return rejected.IsAuthenticationFailure ? Results.Unauthorized() : Results.BadRequest(new { error = rejected.Reason.ToString() });
            default:
                return Results.BadRequest();
        }
    }

    private static async Task<IResult> ReadyAsync(IStateStore store, RelayHealth relay, SystemPause pause, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        try
        {
            await store.GetCursorAsync("readiness-probe", SystemId.Pylon, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            problems.Add($"state store: {ex.Message}");
        }

        if (relay.Failure is { } failure)
        {
            problems.Add($"bus: {failure}");
        }

        problems.AddRange(pause.Paused.Select(p => $"{p.Key} paused: {p.Value}"));
        return problems.Count == 0
            ? Results.Text("ready\n")
            : Results.Text("not ready\n" + string.Join('\n', problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> MetricsAsync(
        PrometheusExporter exporter, SyncMetrics metrics, IStateStore store, SystemPause pause, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            // The state gauges (outbox, open outcomes) read the store now; paused systems are known in memory.
            metrics.ObserveState(await store.GetStatusAsync(cancellationToken), pause.Paused);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A scrape still reports everything else; /readyz says the store is failing.
            LogStateUnreadable(loggers.CreateLogger("MessageSync.Metrics"), ex.Message);
        }

        return Results.Text(exporter.Render(), PrometheusExporter.ContentType);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics scrape: the state store could not be read, the state gauges keep their last values: {Reason}")]
    private static partial void LogStateUnreadable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook from {System} for conversation {ConversationId}: {LinkCount} link(s) will be polled now")]
    private static partial void LogHint(ILogger logger, SystemId system, string conversationId, int linkCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook from {System} refused ({Reason}): {Detail}")]
    private static partial void LogRefused(ILogger logger, SystemId system, string reason, string detail);
}
