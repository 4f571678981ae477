using MessageSync.Adapters.Http;
using MessageSync.Core.Engine;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Transport;

namespace MessageSync.Worker.Ownership;

/// <summary>What runs under each lease (<see cref="Leases"/>), for as long as this process holds it.</summary>
public sealed class OwnedWork(
    PollingService polling, ChangeFeedService feeds, OutboxRelay relay, RetentionService retention, ApplyEndpoints endpoints, ConversationPoller poller,
    EngineRole role, IServiceProvider services)
{
    public async Task RunAsync(LeaseFence fence, CancellationToken cancellationToken)
    {
        if (fence.Name == Leases.Relay)
        {
            // A dry run publishes and prunes nothing: the lease is held (a worker starting meanwhile waits for it) but idle.
            if (!role.Writes)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return;
            }

            // Retention runs beside the relay: one process at a time prunes (a lost lease ends both).
            using var stopRetention = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pruning = retention.RunAsync(stopRetention.Token);
            try
            {
                await relay.RunAsync(cancellationToken);
            }
            finally
            {
                await stopRetention.CancelAsync();
                await pruning;
            }

            return;
        }

        var system = Leases.SystemOf(fence.Name) ?? throw new InvalidOperationException($"Unknown lease '{fence.Name}'.");

        // A new owner starts with empty buckets: the previous owner may have spent its burst in its last minute.
        services.GetKeyedService<RateBudget>(system)?.Drain();
        if (role.Writes)
        {
            await endpoints.ConnectAsync(system, cancellationToken);
        }

        try
        {
            if (poller.Supports(system))
            {
                // The change feed hints the scheduled polls (a backfill has none); it stops with the poll loop (a lost lease
                // ends both).
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var feed = role.ScheduledPolls ? feeds.RunAsync(system, stop.Token) : Task.CompletedTask;
                try
                {
                    await polling.RunAsync(system, fence, stop.Token);
                }
                finally
                {
                    await stop.CancelAsync();
                    await feed;
                }
            }
            else
            {
                // Not configured here: the endpoint still records each change as "not a target", so backfill sees it applied.
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
        finally
        {
            if (role.Writes)
            {
                await endpoints.DisconnectAsync(system);
            }
        }
    }
}
