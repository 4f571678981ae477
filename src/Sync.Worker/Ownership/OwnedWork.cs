using MessageSync.Adapters.Http;
using MessageSync.Core.Engine;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Transport;

namespace MessageSync.Worker.Ownership;

/// <summary>What runs under each lease (<see cref="Leases"/>), for as long as this process holds it.</summary>
public sealed class OwnedWork(
    PollingService polling, OutboxRelay relay, ApplyEndpoints endpoints, ConversationPoller poller, EngineRole role, IServiceProvider services)
{
    public async Task RunAsync(LeaseFence fence, CancellationToken cancellationToken)
    {
        if (fence.Name == Leases.Relay)
        {
            // A dry run publishes nothing: the lease is held (a worker starting meanwhile waits for it) but idle.
            await (role.Writes ? relay.RunAsync(cancellationToken) : Task.Delay(Timeout.Infinite, cancellationToken));
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
                await polling.RunAsync(system, fence, cancellationToken);
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
