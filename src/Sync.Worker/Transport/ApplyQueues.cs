using System.Collections.Concurrent;
using MassTransit;
using MessageSync.Core.Model;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Transport;

/// <summary>
/// The apply queues, one per target system (<c>sync-pylon</c>, <c>sync-helpdesk</c>, <c>sync-cord</c>), configured in one
/// place for both ways they are declared: by the owner of the system connecting its consumer, and by the relay sending to
/// it (RabbitMQ refuses a queue declared twice with different arguments).
/// </summary>
public static class ApplyQueues
{
    public static string Name(SystemId system) => "sync-" + system.ToString().ToLowerInvariant();

    /// <summary>
    /// Where the relay sends a change for <paramref name="system"/>. On RabbitMQ the address carries the queue's arguments, so
    /// a queue the send declares is the same queue its consumer declares (the broker refuses a second, different declaration).
    /// </summary>
    public static Uri Address(SystemId system, TransportKind transport) =>
        new(transport == TransportKind.RabbitMQ ? $"queue:{Name(system)}?singleactiveconsumer=true" : $"queue:{Name(system)}");

    public static Type ConsumerOf(SystemId system) => system switch
    {
        SystemId.Pylon => typeof(PylonChangeConsumer),
        SystemId.Helpdesk => typeof(HelpdeskChangeConsumer),
        _ => typeof(CordChangeConsumer),
    };

    /// <summary>
    /// RabbitMQ single-active-consumer: the broker delivers to one consumer of the queue at a time, a second guard behind the
    /// lease (only the lease holder connects the queue at all).
    /// </summary>
    public static void Configure(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SingleActiveConsumer = true;
        }
    }
}

/// <summary>Connects and disconnects a system's apply queue as this process takes and gives up the system's lease.</summary>
public sealed class ApplyEndpoints(IServiceProvider services, SyncSettings settings)
{
    private readonly ConcurrentDictionary<SystemId, HostReceiveEndpointHandle> _handles = new();

    public async Task ConnectAsync(SystemId system, CancellationToken cancellationToken)
    {
        if (settings.Current.Transport == TransportKind.InMemory)
        {
            return; // one process owns everything; its endpoints are configured with the bus
        }

        var connector = services.GetRequiredService<IReceiveEndpointConnector>();
        var handle = connector.ConnectReceiveEndpoint(ApplyQueues.Name(system), (context, endpoint) =>
        {
            ApplyQueues.Configure(endpoint);
            endpoint.ConfigureConsumer(context, ApplyQueues.ConsumerOf(system));
        });
        _handles[system] = handle;
        await handle.Ready.WaitAsync(cancellationToken);
    }

    public async Task DisconnectAsync(SystemId system)
    {
        if (_handles.TryRemove(system, out var handle))
        {
            // Waits for the changes being applied: an unacknowledged one goes back to the queue for the next owner.
            await handle.StopAsync(CancellationToken.None);
        }
    }
}
