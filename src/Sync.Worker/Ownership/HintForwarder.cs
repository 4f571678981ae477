using MassTransit;
using MessageSync.Core.Contracts;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Worker.Engine;

namespace MessageSync.Worker.Ownership;

/// <summary>
/// Brings a webhook hint to the process that polls the conversation: in-process when this process owns the system,
/// otherwise published to every process (each has a temporary queue of its own), where the owner acts on it.
/// </summary>
public sealed partial class HintForwarder(
    OwnershipService ownership, PollScheduler scheduler, ILinkProvider links, IBus bus, ProcessIdentity identity, ILogger<HintForwarder> logger)
{
    /// <returns>How many links this process hinted (0 when the hint was forwarded to the owner).</returns>
    public async Task<int> HintAsync(SystemId system, string conversationId, CancellationToken cancellationToken)
    {
        if (ownership.Owns(system))
        {
            return scheduler.Hint(system, conversationId, await links.GetLinksAsync(cancellationToken));
        }

        try
        {
            await bus.Publish(new ConversationHinted(system, conversationId, identity.Id), cancellationToken);
            LogForwarded(logger, system, conversationId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A hint only hurries a poll; the owner reads the conversation on schedule anyway.
            LogForwardFailed(logger, system, conversationId, ex.Message);
        }

        return 0;
    }

    /// <summary>A hint published by another process: acted on only by the owner of the system.</summary>
    public async Task ReceiveAsync(ConversationHinted hint, CancellationToken cancellationToken)
    {
        if (hint.ReceivedBy != identity.Id && ownership.Owns(hint.System))
        {
            scheduler.Hint(hint.System, hint.ConversationId, await links.GetLinksAsync(cancellationToken));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook hint for {System} conversation {ConversationId} forwarded to the owning process")]
    private static partial void LogForwarded(ILogger logger, SystemId system, string conversationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not forward the webhook hint for {System} conversation {ConversationId}; it is read on schedule: {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, SystemId system, string conversationId, string reason);
}

/// <summary>Hints from other processes (a temporary queue per process).</summary>
public sealed class ConversationHintedConsumer(HintForwarder forwarder) : IConsumer<ConversationHinted>
{
    public Task Consume(ConsumeContext<ConversationHinted> context) => forwarder.ReceiveAsync(context.Message, context.CancellationToken);
}
