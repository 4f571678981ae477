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
    public static Refusal? Violation(SystemId target, MessageKind targetKind, CanonicalMessage message, ConversationLink link, bool sendsEmail)
    {
        // The visibility invariant: an internal note stays an internal note, and nothing internal goes where a customer looks.
        if (message.Kind == MessageKind.InternalNote && targetKind != MessageKind.InternalNote)
        {
            return new(GuardRule.Visibility, $"an internal note may not be written to {KindMapping.DisplayName(target)} as {targetKind}");
        }

        if ((message.Kind == MessageKind.InternalNote || targetKind == MessageKind.InternalNote) && IsCustomerVisible(target, targetKind, link))
        {
            return new(GuardRule.Visibility, $"internal notes are never written where the customer can see them ({Where(target, targetKind)})");
        }

        // The delivery rule: a reply reaches the customer once, from the system the agent wrote it in. Every write MessageSync
        // makes is a mirror, so it never e-mails, and an agent's reply is never copied to where it would reach the customer
        // again (a Pylon reply, a customer-visible Cord thread), except a helpdesk reply into Pylon where the link says its
        // customer is reached only through Pylon: agents there answer from the helpdesk with e-mail off.
        if (sendsEmail)
        {
            return new(GuardRule.Delivery, $"a mirror may not e-mail the customer ({KindMapping.DisplayName(target)}, {targetKind})");
        }

        if ((message.Kind == MessageKind.AgentReply || targetKind == MessageKind.AgentReply) && ReachesCustomer(target, targetKind, link)
            && !DeliversHere(target, targetKind, message, link))
        {
            return new(GuardRule.Delivery, target == SystemId.Pylon && link.DeliverRepliesVia == ReplyDelivery.Pylon
                ? $"the customer already received this reply from {KindMapping.DisplayName(message.Origin.System)}; DeliverRepliesVia: Pylon delivers helpdesk replies only"
                : $"the customer already received this reply from {KindMapping.DisplayName(message.Origin.System)}; {Where(target, targetKind)} would deliver it a second time");
        }

        return null;
    }

    /// <summary>True when a copy written there is pushed to the customer: a Pylon reply, a message in a customer-visible Cord thread.</summary>
    /// <remarks>A helpdesk response reaches the customer by e-mail only, which <c>sendsEmail</c> covers: mirrors go with it off.</remarks>
    public static bool ReachesCustomer(SystemId target, MessageKind targetKind, ConversationLink link) => target switch
    {
        SystemId.Pylon => targetKind is MessageKind.CustomerMessage or MessageKind.AgentReply,
        SystemId.Cord => link.CordThreadCustomerVisible,
        _ => false,
    };

    /// <summary>The one opt-in of the delivery rule: a helpdesk reply posted as a Pylon reply on a link that delivers replies via Pylon.</summary>
    public static bool DeliversHere(SystemId target, MessageKind targetKind, CanonicalMessage message, ConversationLink link) =>
        target == SystemId.Pylon && targetKind == MessageKind.AgentReply && message.Kind == MessageKind.AgentReply
        && message.Origin.System == SystemId.Helpdesk && link.DeliverRepliesVia == ReplyDelivery.Pylon;

    /// <summary>The adapter-side check of a write request, made just before the request is sent.</summary>
    /// <exception cref="VisibilityViolationException">The write would break the visibility invariant or the delivery rule.</exception>
    public static void EnsureAllowed(SystemId target, WriteRequest request, bool sendsEmail)
    {
        if (Violation(target, request.TargetKind, request.Message, request.Link, sendsEmail) is { } refusal)
        {
            throw new VisibilityViolationException(target, $"Refused write of {request.Message.Id} to {KindMapping.DisplayName(target)} for link {request.Link.Id}: {refusal.Reason}.");
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

/// <summary>Which of the two rules a refusal comes from.</summary>
public enum GuardRule
{
    /// <summary>The visibility invariant: an internal note would become customer-visible.</summary>
    Visibility,

    /// <summary>The delivery rule: the customer would hear a reply a second time.</summary>
    Delivery,
}

/// <summary>Why <see cref="VisibilityGuard"/> refused a write.</summary>
public sealed record Refusal(GuardRule Rule, string Reason)
{
    public override string ToString() => Reason;
}
