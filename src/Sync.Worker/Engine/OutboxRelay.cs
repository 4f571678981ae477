using MassTransit;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Options;
using MessageSync.Worker.Transport;

namespace MessageSync.Worker.Engine;

/// <summary>
/// Publishes outbox rows in sequence order and marks them published (DESIGN.md, "Outbox"). A crash between publish and
/// mark publishes the row again: the consumers are idempotent. While the broker is unreachable the rows wait here. Runs in
/// the one process that holds the relay lease (<see cref="Ownership.OwnershipService"/>), so rows are published in order once.
/// </summary>
public sealed partial class OutboxRelay(
    IStateStore store, IBusControl bus, OutboxSignal signal, SyncSettings settings, SyncMetrics metrics, RelayHealth health,
    TimeProvider time, ILogger<OutboxRelay> logger)
{
    private const int BatchSize = 200;

    /// <summary>
    /// How long one send may wait for the broker's confirm. A broker that stops confirming (a resource alarm blocks
    /// publishers, a channel that died without telling) would otherwise hold the relay silently: past this the send is
    /// abandoned, the row stays unpublished, the failure is logged and shown in /readyz, and the relay tries again.
    /// </summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BusWaitReport = TimeSpan.FromSeconds(30);
    private int _requeued;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "the relay outlives any one failure (broker, store): logged, shown in /readyz, retried with back-off")]
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (settings.Current.Transport == TransportKind.InMemory && Interlocked.Exchange(ref _requeued, 1) == 0)
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

                await WaitForBusAsync(stoppingToken);

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

    /// <summary>
    /// Waits until the bus is healthy: connected, every receive endpoint ready. Meanwhile the changes wait in the outbox,
    /// /readyz says why, and one log line every half minute names the broker.
    /// </summary>
    public async Task WaitForBusAsync(CancellationToken cancellationToken)
    {
        var lastReport = DateTimeOffset.MinValue;
        while (true)
        {
            var result = bus.CheckHealth();
            if (result.Status == BusHealthStatus.Healthy)
            {
                return;
            }

            var reason = $"message bus {result.Status.ToString().ToLowerInvariant()}: {result.Exception?.GetBaseException().Message ?? result.Description}";
            health.Failed(reason);
            if (time.GetUtcNow() - lastReport >= BusWaitReport)
            {
                var options = settings.Current;
                var where = options.Transport == TransportKind.RabbitMQ ? $"RabbitMQ at {options.RabbitMq.Host}:{options.RabbitMq.Port}" : "in-memory";
                LogWaitingForBus(logger, where, reason);
                lastReport = time.GetUtcNow();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
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
                // Under the span of the poll that detected the change, so MassTransit's send and consume continue its trace.
                using var activity = SyncActivities.StartPublish(entry.Message);
                // Sent to each apply queue by name rather than published: sending declares the queue, so a change is kept
                // even before the owner of its target has connected that queue (a published message meeting no bound queue
                // would be dropped). A replay goes to its one target.
                foreach (var target in entry.Message.Target is { } only ? [only] : Enum.GetValues<SystemId>())
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(SendTimeout);
                    try
                    {
                        var endpoint = await bus.GetSendEndpoint(ApplyQueues.Address(target, settings.Current.Transport));
                        await endpoint.Send(entry.Message, timeout.Token);
                    }
                    catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                    {
                        throw new TimeoutException(
                            $"the message bus did not confirm a send to {ApplyQueues.Name(target)} within {SendTimeout.TotalSeconds:0} s (a broker resource alarm blocks publishers; rabbitmqctl status names it)");
                    }
                }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for the message bus ({Bus}); detected changes wait in the outbox and nothing is lost: {Reason}")]
    private static partial void LogWaitingForBus(ILogger logger, string bus, string reason);

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
