using MessageSync.Core.Model;

namespace MessageSync.Core.Routing;

/// <summary>How each kind is written into each target (DESIGN.md, the "writes kind as" column). Data, tested exhaustively.</summary>
public static class KindMapping
{
    /// <summary>The kind the target receives and the label line, if any.</summary>
    /// <param name="source">The system the message was written in (named in labels; the delivery rule depends on it).</param>
    /// <param name="targetCaps">
    /// The target's capabilities, when known: a Pylon reply for a customer's message must be posted as the contact; a target
    /// that cannot post as the author would post it as an agent, which reaches the customer, so it becomes a labelled note.
    /// </param>
    public static (MessageKind TargetKind, string? Label) ForTarget(
        MessageKind kind, SystemId source, SystemId target, ConversationLink link, SystemCapabilities? targetCaps = null) =>
        (target, kind) switch
        {
            // Pylon: a note in the sync thread; a customer's message as a reply posted as the contact; an agent reply as a
            // labelled note, because a Pylon reply would reach the customer a second time, unless the link opts in (and then
            // only for helpdesk replies: a Cord reply was already seen in its customer-visible thread).
            (SystemId.Pylon, MessageKind.InternalNote) => (MessageKind.InternalNote, null),
            (SystemId.Pylon, MessageKind.CustomerMessage) when targetCaps is { CanPostAsAuthor: false } =>
                (MessageKind.InternalNote, $"Written by the customer in {DisplayName(source)}"),
            (SystemId.Pylon, MessageKind.CustomerMessage) => (MessageKind.CustomerMessage, null),
            (SystemId.Pylon, MessageKind.AgentReply) when link.DeliverRepliesVia == ReplyDelivery.Pylon && source == SystemId.Helpdesk => (MessageKind.AgentReply, null),
            (SystemId.Pylon, MessageKind.AgentReply) => (MessageKind.InternalNote, $"Sent to the customer via {DisplayName(source)}"),
            (SystemId.Pylon, MessageKind.SystemEvent) => (MessageKind.InternalNote, null),

            // Helpdesk: request / response / note; a response is written with send_email false (the delivery rule).
            (SystemId.Helpdesk, MessageKind.SystemEvent) => (MessageKind.InternalNote, null),
            (SystemId.Helpdesk, _) => (kind, null),

            // Cord: every kind as user_message, the kind itself travels in metadata.
            (SystemId.Cord, _) => (kind, null),

            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown system."),
        };

    /// <summary>How labels and reasons name a system ("helpdesk" is a product category here, hence lower case).</summary>
    public static string DisplayName(SystemId system) => system switch
    {
        SystemId.Pylon => "Pylon",
        SystemId.Helpdesk => "helpdesk",
        SystemId.Cord => "Cord",
        _ => system.ToString(),
    };
}
