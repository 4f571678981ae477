namespace MessageSync.Core.Model;

/// <summary>Where a link lets agent replies reach the customer (DESIGN.md, "The delivery rule").</summary>
public enum ReplyDelivery
{
    /// <summary>A reply reaches the customer only from the system the agent wrote it in (default).</summary>
    Origin,

    /// <summary>Agent replies written in the helpdesk are posted as Pylon replies (the customer is reached only through Pylon, agents answer from the helpdesk with e-mail off).</summary>
    Pylon,
}

/// <summary>
/// One conversation seen in several systems: a Pylon issue, a helpdesk ticket and/or a Cord thread.
/// A link names at least two systems.
/// </summary>
public sealed record ConversationLink
{
    public required string Id { get; init; }
    public string? PylonIssueId { get; init; }
    public string? HelpdeskTicketId { get; init; }
    public string? CordThreadId { get; init; }

    /// <summary>True when the link's Cord thread is shown to the customer: internal notes never go there.</summary>
    public bool CordThreadCustomerVisible { get; init; }

    /// <summary>Cord user ids that are agents; their messages in a customer-visible thread read as AgentReply.</summary>
    public IReadOnlyList<string> CordAgentUserIds { get; init; } = [];

    public ReplyDelivery DeliverRepliesVia { get; init; } = ReplyDelivery.Origin;

    public string? ConversationId(SystemId system) => system switch
    {
        SystemId.Pylon => PylonIssueId,
        SystemId.Helpdesk => HelpdeskTicketId,
        SystemId.Cord => CordThreadId,
        _ => null,
    };

    public IEnumerable<SystemId> Systems =>
        Enum.GetValues<SystemId>().Where(s => !string.IsNullOrWhiteSpace(ConversationId(s)));
}
