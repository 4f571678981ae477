using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Core.Routing;

/// <summary>
/// The visibility invariant and the delivery rule (DESIGN.md), in one place. The router consults it before deciding, and
/// every adapter write path calls <see cref="EnsureAllowed"/> again with the request it is about to send, so a routing bug
/// cannot leak an internal note. No configuration switches it off.
/// </summary>
public static class VisibilityGuard
{
    /// <summary>Why writing <paramref name="message"/> as <paramref name="targetKind"/> into <paramref name="target"/> is forbidden, or null when it is allowed.</summary>
    /// <param name="sendsEmail">Whether the write would e-mail the customer (helpdesk <c>send_email</c>).</param>
    public static string? Violation(SystemId target, MessageKind targetKind, CanonicalMessage message, ConversationLink link, bool sendsEmail)
    {
        // The visibility invariant: an internal note stays an internal note, and nothing internal goes where a customer looks.
        if (message.Kind == MessageKind.InternalNote && targetKind != MessageKind.InternalNote)
        {
            return $"an internal note may not be written to {KindMapping.DisplayName(target)} as {targetKind}";
        }

        if ((message.Kind == MessageKind.InternalNote || targetKind == MessageKind.InternalNote) && IsCustomerVisible(target, targetKind, link))
        {
            return $"internal notes are never written where the customer can see them ({Where(target, targetKind)})";
        }

        // The delivery rule: every write MessageSync makes is a mirror, and the customer already heard the original.
        if (sendsEmail)
        {
            return $"a mirror may not e-mail the customer ({KindMapping.DisplayName(target)}, {targetKind})";
        }

        if (target == SystemId.Pylon && targetKind == MessageKind.AgentReply && link.DeliverRepliesVia != ReplyDelivery.Pylon)
        {
            return "an agent reply mirrored into Pylon would reach the customer a second time; the link does not opt in (DeliverRepliesVia: Pylon)";
        }

        return null;
    }

    /// <summary>The adapter-side check of a write request, made just before the request is sent.</summary>
    /// <exception cref="VisibilityViolationException">The write would break the visibility invariant or the delivery rule.</exception>
    public static void EnsureAllowed(SystemId target, WriteRequest request, bool sendsEmail)
    {
        if (Violation(target, request.TargetKind, request.Message, request.Link, sendsEmail) is { } reason)
        {
            throw new VisibilityViolationException(target, $"Refused write of {request.Message.Id} to {KindMapping.DisplayName(target)} for link {request.Link.Id}: {reason}.");
        }
    }

    /// <summary>
    /// True when a copy written as <paramref name="targetKind"/> into <paramref name="target"/> can be seen by the customer:
    /// a Pylon reply, a helpdesk request or response, anything in a Cord thread the link marks customer-visible.
    /// </summary>
    public static bool IsCustomerVisible(SystemId target, MessageKind targetKind, ConversationLink link) => target switch
    {
        SystemId.Cord => link.CordThreadCustomerVisible,
        SystemId.Pylon or SystemId.Helpdesk => targetKind is MessageKind.CustomerMessage or MessageKind.AgentReply,
        _ => true,
    };

    private static string Where(SystemId target, MessageKind targetKind) => target switch
    {
        SystemId.Cord => "a customer-visible Cord thread",
        SystemId.Pylon => "a Pylon reply",
        _ => $"a helpdesk {(targetKind == MessageKind.CustomerMessage ? "request" : "response")}",
    };
}
