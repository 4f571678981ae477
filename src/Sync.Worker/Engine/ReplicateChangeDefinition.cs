using System.Security.Cryptography;
using System.Text;
using MassTransit;
using MassTransit.Middleware;
using MessageSync.Core.Contracts;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Worker.Transport;

namespace MessageSync.Worker.Engine;

public static class ReplicateChangeDefinitionSettings
{
    /// <summary>Retries of a transient failure before the change is faulted to the error queue (and recorded).</summary>
    public const int RetryLimit = 8;

    /// <summary>Partitions per endpoint: changes of one link are applied one at a time, in order; links run in parallel.</summary>
    public const int Partitions = 16;
}

/// <summary>
/// Endpoint policy for a target's consumer: queue <c>sync-{system}</c>, exponential retry with jitter for transient
/// failures, none for permanent ones (they are recorded and go to <c>sync-{system}_error</c>), and partitioning by link.
/// </summary>
public sealed class ReplicateChangeDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : ReplicateChangeConsumer
{
    // One partitioner per endpoint (per closed generic type), for the life of the process.
    private static readonly IPartitioner Partitioner = new MassTransit.Middleware.Partitioner(ReplicateChangeDefinitionSettings.Partitions, new Murmur3UnsafeHashGenerator());

    public ReplicateChangeDefinition()
    {
        EndpointName = ApplyQueues.Name(Enum.GetValues<SystemId>().First(s => ApplyQueues.ConsumerOf(s) == typeof(TConsumer)));
        ConcurrentMessageLimit = ReplicateChangeDefinitionSettings.Partitions;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // The partitioner comes first so that a change being retried holds its link's partition: a later change of the
        // same link cannot overtake it. Retry sits inside.
        endpointConfigurator.UsePartitioner<MessageChanged>(Partitioner, context => LinkKey(context.Message.LinkId));
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Exponential(ReplicateChangeDefinitionSettings.RetryLimit, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
            retry.Ignore<ChangeFaultedException>();
        });
    }

    private static Guid LinkKey(string linkId) => new(SHA256.HashData(Encoding.UTF8.GetBytes(linkId)).AsSpan(0, 16));
}
