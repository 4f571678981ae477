using System.Collections.Concurrent;
using MassTransit;
using MessageSync.Core.Contracts;
using MessageSync.Core.Model;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Transport;

/// <summary>
/// The apply queues, one per target system (<c>sync-pylon</c>, <c>sync-helpdesk</c>, <c>sync-cord</c>), configured in one
/// place for every way they are declared: connected at run time by the owner of the system, and deployed up front by the
/// relay (RabbitMQ refuses a queue declared twice with different arguments).
/// </summary>
public static class ApplyQueues
{
    public static string Name(SystemId system) => "sync-" + system.ToString().ToLowerInvariant();

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

/// <summary>
/// Makes sure every apply queue exists and is bound before the relay publishes: on RabbitMQ a message published to an
/// exchange with no bound queue is gone, and the owner of a system may not have connected its queue yet. Deployed once
/// per process with MassTransit's topology-only mode (nothing is consumed).
/// </summary>
public sealed class ApplyTopology(SyncSettings settings)
{
    private volatile bool _deployed;

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_deployed || settings.Current.Transport == TransportKind.InMemory)
        {
            return;
        }

        var rabbit = settings.Current.RabbitMq;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, h =>
            {
                h.Username(rabbit.Username);
                h.Password(rabbit.Password);
            });
            cfg.DeployTopologyOnly = true;
            foreach (var system in Enum.GetValues<SystemId>())
            {
                cfg.ReceiveEndpoint(ApplyQueues.Name(system), endpoint =>
                {
                    ApplyQueues.Configure(endpoint);
                    endpoint.Handler<MessageChanged>(_ => Task.CompletedTask);
                });
            }
        });
        await bus.DeployAsync(cancellationToken);
        _deployed = true;
    }
}
