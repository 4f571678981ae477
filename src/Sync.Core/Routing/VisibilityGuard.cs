using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Core.Routing;

/// <summary>
/// The visibility invariant and the delivery rule as one check (DESIGN.md). The router consults it before deciding, and each
/// adapter calls <see cref="EnsureAllowed(SystemId, MessageKind, MessageKind, ConversationLink, bool)"/> again in its write
/// path, so a routing bug cannot leak an internal note. No configuration switches it off.
/// </summary>
public static class VisibilityGuard
{
    /// <summary>Why a write as <paramref name="targetKind"/> into <paramref name="target"/> is forbidden, or null when it is allowed.</summary>
    /// <param name="messageKind">The canonical message's own kind (an InternalNote may only ever be written as an InternalNote).</param>
    /// <param name="sendsEmail">Whether the write would e-mail the customer (helpdesk <c>send_email</c>).</param>
    public static string? Violation(SystemId target, MessageKind messageKind, MessageKind targetKind, ConversationLink link, bool sendsEmail)
    {
        if (messageKind == MessageKind.InternalNote && targetKind != MessageKind.InternalNote)
        {
            return $"an internal note may not be written to {target} as {targetKind}";
        }

        if (sendsEmail)
        {
            // Every write MessageSync makes is a mirror; the customer already heard the original.
            return $"a mirror may not e-mail the customer ({target}, {targetKind})";
        }

        return target switch
        {
            SystemId.Cord when link.CordThreadCustomerVisible && targetKind == MessageKind.InternalNote =>
                "internal notes are never written into a Cord thread the customer can see",
            SystemId.Pylon when targetKind == MessageKind.AgentReply && link.DeliverRepliesVia != ReplyDelivery.Pylon =>
                "an agent reply mirrored into Pylon would reach the customer a second time; the link does not opt in (DeliverRepliesVia: Pylon)",
            SystemId.Pylon or SystemId.Helpdesk when targetKind == MessageKind.SystemEvent =>
                $"{target} has no system-event messages; write them as internal notes",
            _ => null,
        };
    }

    /// <summary>The target-side check (the written kind only); see the five-argument overload for the full check.</summary>
    public static void EnsureAllowed(SystemId target, MessageKind targetKind, ConversationLink link, bool sendsEmail) =>
        EnsureAllowed(target, targetKind, targetKind, link, sendsEmail);

    /// <exception cref="VisibilityViolationException">The write would break the visibility invariant or the delivery rule.</exception>
    public static void EnsureAllowed(SystemId target, MessageKind messageKind, MessageKind targetKind, ConversationLink link, bool sendsEmail)
    {
        if (Violation(target, messageKind, targetKind, link, sendsEmail) is { } reason)
        {
            throw new VisibilityViolationException(target, $"Refused write to {target} for link {link.Id}: {reason}.");
        }
    }

    /// <summary>True when a copy written as <paramref name="targetKind"/> into <paramref name="target"/> can be seen by the customer.</summary>
    public static bool IsCustomerVisible(SystemId target, MessageKind targetKind, ConversationLink link) => target switch
    {
        SystemId.Cord => link.CordThreadCustomerVisible,
        SystemId.Pylon or SystemId.Helpdesk => targetKind is MessageKind.CustomerMessage or MessageKind.AgentReply,
        _ => true,
    };
}
