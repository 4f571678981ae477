using MassTransit;
using MessageSync.Core.Engine;
using MessageSync.Core.State;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Engine;

/// <summary>
/// Publishes outbox rows in sequence order and marks them published (DESIGN.md, "Outbox"). A crash between publish and
/// mark publishes the row again: the consumers are idempotent. While the broker is unreachable the rows wait here.
/// </summary>
public sealed partial class OutboxRelay(
    IStateStore store, IPublishEndpoint publisher, OutboxSignal signal, SyncSettings settings, SyncMetrics metrics, RelayHealth health,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private const int BatchSize = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Current.Transport == TransportKind.InMemory)
        {
            // In-memory queues die with the process: send again what the last run published but did not apply.
            // Consumers skip whatever was applied meanwhile (applied_changes), so this never doubles an effect.
            var requeued = await store.RequeueUnappliedAsync(stoppingToken);
            if (requeued > 0)
            {
                LogRequeued(logger, requeued);
            }
        }

        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (backoff > TimeSpan.Zero)
                {
                    await Task.Delay(backoff, stoppingToken);
                }

                var published = await PublishPendingAsync(stoppingToken);
                health.Succeeded();
                backoff = TimeSpan.Zero;
                if (published < BatchSize)
                {
                    await signal.WaitAsync(settings.Current.Polling.RelayInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                backoff = TimeSpan.FromMilliseconds(Math.Min(Math.Max(backoff.TotalMilliseconds * 2, 500), 30_000));
                health.Failed(ex.Message);
                LogPublishFailed(logger, backoff.TotalSeconds, ex.Message);
            }
        }
    }

    /// <summary>Publishes one batch; returns how many rows it published.</summary>
    public async Task<int> PublishPendingAsync(CancellationToken cancellationToken)
    {
        var pending = await store.GetUnpublishedAsync(BatchSize, cancellationToken);
        if (pending.Count == 0)
        {
            return 0;
        }

        var done = new List<long>(pending.Count);
        try
        {
            foreach (var entry in pending)
            {
                await publisher.Publish(entry.Message, cancellationToken);
                done.Add(entry.Sequence);
            }
        }
        finally
        {
            if (done.Count > 0)
            {
                await store.MarkPublishedAsync(done, CancellationToken.None);
                metrics.Published(done.Count);
            }
        }

        return done.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-queued {Count} change(s) published before the last stop but not yet applied (in-memory transport)")]
    private static partial void LogRequeued(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay could not publish, retrying in {RetrySeconds:0.#} s; the changes stay in the outbox: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, double retrySeconds, string reason);
}

/// <summary>The relay's last result, for <c>/readyz</c>.</summary>
public sealed class RelayHealth
{
    private volatile string? _failure;

    public string? Failure => _failure;

    public void Succeeded() => _failure = null;

    public void Failed(string reason) => _failure = reason;
}
