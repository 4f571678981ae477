using MassTransit;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Options;
using MessageSync.Worker.Ownership;

namespace MessageSync.Worker.Transport;

/// <summary>
/// MassTransit with one receive endpoint per target system (<c>sync-pylon</c>, <c>sync-helpdesk</c>, <c>sync-cord</c>), so a
/// rate-limited Pylon backlog never stalls Cord. Retry and partitioning live in <see cref="ReplicateChangeDefinition{T}"/>.
/// On RabbitMQ the apply endpoints are connected at run time by the owner of each system (<see cref="ApplyEndpoints"/>);
/// in memory (one process) they start with the bus. Every process also has a temporary queue for forwarded webhook hints.
/// </summary>
public static class BusRegistration
{
    public static IHostApplicationBuilder AddSyncTransport(this IHostApplicationBuilder builder, ProcessIdentity identity)
    {
        var options = builder.Configuration.GetSection(SyncOptions.Section).Get<SyncOptions>() ?? new SyncOptions();
        var connectedByOwner = options.Transport == TransportKind.RabbitMQ;
        builder.Services.AddMassTransit(bus =>
        {
            var apply = new IConsumerRegistrationConfigurator[]
            {
                bus.AddConsumer<PylonChangeConsumer, ReplicateChangeDefinition<PylonChangeConsumer>>(),
                bus.AddConsumer<HelpdeskChangeConsumer, ReplicateChangeDefinition<HelpdeskChangeConsumer>>(),
                bus.AddConsumer<CordChangeConsumer, ReplicateChangeDefinition<CordChangeConsumer>>(),
            };
            if (connectedByOwner)
            {
                foreach (var consumer in apply)
                {
                    consumer.ExcludeFromConfigureEndpoints();
                }
            }

            bus.AddConsumer<ConversationHintedConsumer>().Endpoint(endpoint =>
            {
                endpoint.Temporary = true;
                endpoint.InstanceId = identity.InstanceId;
            });

            if (options.Transport == TransportKind.RabbitMQ)
            {
                var rabbit = options.RabbitMq;
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, h =>
                    {
                        h.Username(rabbit.Username);
                        h.Password(rabbit.Password);
                    });
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        });

        // The host does not wait for the broker: the worker comes up, keeps detecting into the outbox and says on /readyz
        // that the bus is not connected. OutboxRelay publishes only while the bus reports healthy (every receive endpoint
        // has bound its queue: on RabbitMQ a message published to an exchange with no bound queue is gone).
        builder.Services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = false;
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });

        return builder;
    }
}
