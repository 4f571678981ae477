using MassTransit;
using MessageSync.Core.Contracts;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;

namespace MessageSync.Worker.Engine;

/// <summary>Applies one <see cref="MessageChanged"/> to one target system; the work is <see cref="ChangeApplier"/>'s.</summary>
public abstract class ReplicateChangeConsumer(ChangeApplier applier) : IConsumer<MessageChanged>
{
    public abstract SystemId Target { get; }

    public Task Consume(ConsumeContext<MessageChanged> context) =>
        applier.ApplyAsync(context.Message, Target, context.GetRetryAttempt() >= ReplicateChangeDefinitionSettings.RetryLimit, context.CancellationToken);
}

public sealed class PylonChangeConsumer(ChangeApplier applier) : ReplicateChangeConsumer(applier)
{
    public override SystemId Target => SystemId.Pylon;
}

public sealed class HelpdeskChangeConsumer(ChangeApplier applier) : ReplicateChangeConsumer(applier)
{
    public override SystemId Target => SystemId.Helpdesk;
}

public sealed class CordChangeConsumer(ChangeApplier applier) : ReplicateChangeConsumer(applier)
{
    public override SystemId Target => SystemId.Cord;
}
