using MessageSync.Core.Model;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>Whether a copy of a message must, may or must not exist in a system.</summary>
public enum Presence
{
    Required,
    Optional,
    Forbidden,
}

/// <summary>
/// What DESIGN.md's routing says must hold once a message has synced, restated here on purpose rather than by calling
/// <c>Router</c>: an oracle that shares code with what it checks cannot catch that code's mistakes. Each rule names the
/// section it comes from. Capabilities are the APIs' (api-docs): only Cord can edit; the helpdesk cannot redact or delete.
/// </summary>
public static class Expectations
{
    public static IReadOnlyList<SystemId> Systems { get; } = [SystemId.Pylon, SystemId.Helpdesk, SystemId.Cord];

    /// <summary>The conversation of <paramref name="system"/> in the link.</summary>
    public static string Conversation(ChaosLink link, SystemId system) => system switch
    {
        SystemId.Pylon => link.Issue,
        SystemId.Helpdesk => link.Ticket,
        _ => link.Thread,
    };

    /// <summary>Whether <paramref name="target"/> must hold one copy of <paramref name="message"/> (the origin holds the original).</summary>
    public static (Presence Presence, string Why) Copy(LedgerMessage message, SystemId target)
    {
        if (target == message.Origin)
        {
            return (Presence.Required, "the original");
        }

        var visibleCord = target == SystemId.Cord && message.Link.CordCustomerVisible;
        if (visibleCord && message.Kind == MessageKind.InternalNote)
        {
            return (Presence.Forbidden, "an internal note is never written into a Cord thread the customer can see (DESIGN.md, the visibility invariant)");
        }

        if (visibleCord && message.Kind == MessageKind.AgentReply)
        {
            // Cord has no private message in such a thread, so there is no labelled-note fallback: the customer got the reply
            // by e-mail or through Pylon, or its agent answered with e-mail off on purpose; either way it is not Cord's to deliver.
            return (Presence.Forbidden, "a customer-visible Cord thread takes no agent reply written elsewhere (ARCHITECTURE.md, the delivery rule)");
        }

        if (message.Removal != Removal.None)
        {
            return (Presence.Optional, $"{message.Removal.ToString().ToLowerInvariant()} in the meantime: a copy may have been made before or not at all");
        }

        return (Presence.Required, "a message of every kind reaches every other system of its link (DESIGN.md, the kind table)");
    }

    /// <summary>The systems that get one "Edited in ..." note per edit made in <paramref name="editedIn"/>: those that hold the message and cannot edit (policy AppendNote, the default).</summary>
    public static IEnumerable<SystemId> EditNoteTargets(LedgerMessage message, SystemId editedIn) =>
        Systems.Where(s => s != editedIn && !CanEdit(s) && Copy(message, s).Presence != Presence.Forbidden);

    /// <summary>Only Cord has an update API (api-docs 003); Pylon and the helpdesk have none.</summary>
    public static bool CanEdit(SystemId system) => system == SystemId.Cord;

    /// <summary>Pylon redacts (api-docs 000), Cord replaces the content; the helpdesk has create only (api-docs 002).</summary>
    public static bool CanRedact(SystemId system) => system != SystemId.Helpdesk;

    /// <summary>Pylon deletes, Cord soft- or hard-deletes; the helpdesk cannot.</summary>
    public static bool CanDelete(SystemId system) => system != SystemId.Helpdesk;

    /// <summary>A customer can see it: a Pylon reply (whoever it is posted as), a helpdesk request or response, any message of a customer-visible Cord thread.</summary>
    public static bool CustomerVisible(SimCopy copy, ChaosLink link) =>
        copy.System == SystemId.Cord ? link.CordCustomerVisible : !copy.Private;

    /// <summary>It reached the customer as a reply: a Pylon reply by an agent, an e-mailed helpdesk response, a message in a customer-visible Cord thread.</summary>
    public static bool Delivers(SimCopy copy, ChaosLink link) =>
        copy.ReachedCustomer || (copy.System == SystemId.Cord && link.CordCustomerVisible);

    /// <summary>
    /// DESIGN.md, the delivery rule: a link that opts in (DeliverRepliesVia: Pylon) has its customer reached through Pylon,
    /// so an agent reply written in the helpdesk with e-mail off must reach them as a Pylon reply.
    /// </summary>
    public static bool MustBeDeliveredViaPylon(LedgerMessage message) =>
        message.Link.DeliverRepliesViaPylon && message.Kind == MessageKind.AgentReply && message.Origin == SystemId.Helpdesk && !message.ReachedCustomerAtOrigin;
}
