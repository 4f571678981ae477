using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;

namespace MessageSync.Core.Routing;

/// <summary>
/// Decides what one change means for one target (DESIGN.md, "Data flow" and "Redaction and deletion"). Pure.
/// </summary>
/// <remarks>
/// Choices this router makes, beyond the design page:
/// <list type="bullet">
/// <item>Configured "do nothing" policies (edit policy Ignore, deletion policy Ignore) are explained skips, not recorded
/// outcomes: an operator chose them, and recording every edit would bury the outcomes that need attention.</item>
/// <item>Anything the target cannot do that the policy asked for (create a kind, delete, redact, take an edit note), and every
/// write withheld by the visibility invariant, is a recorded outcome: <see cref="OutcomeKind.UnpropagatedRedaction"/> for a
/// redaction, <see cref="OutcomeKind.Skipped"/> otherwise.</item>
/// <item>An agent's reply that the delivery rule keeps out of a target (a customer-visible Cord thread, whose customer heard
/// the reply from the system it was written in) is an explained skip: that is the configured link working as designed.</item>
/// <item>Edited, Redacted or Deleted for a message with no copy in the target is a skip: consumers apply one link's changes
/// in sequence and read the current canonical message, so a Created still queued (or replayed later from parked or faulted)
/// writes the current content, and a Created for a message already redacted or deleted writes nothing.</item>
/// <item><c>targetHasMapping</c> counts the origin: the origin system "has" the message (the store's mapping lookup returns
/// the origin), so a person's change to a mirror reaches the original like any other copy.</item>
/// </list>
/// </remarks>
public static class Router
{
    public static RouteDecision Decide(
        ChangeKind change,
        CanonicalMessage message,
        SystemId source,
        SystemId target,
        ConversationLink link,
        SystemCapabilities targetCaps,
        TargetPolicy policy,
        bool targetHasMapping)
    {
        // A new message or version is never written back where it was made. A redaction or deletion is: the source system may
        // hold other copies of the message (edit notes, a mirror beside a person's redacted note), and each one must go; the
        // copy the change was seen on is already marked, so nothing is done to it twice.
        if (target == source && change is ChangeKind.Created or ChangeKind.Edited)
        {
            return new RouteDecision.Skip($"{KindMapping.DisplayName(target)} is where the change was made");
        }

        if (string.IsNullOrWhiteSpace(link.ConversationId(target)))
        {
            return new RouteDecision.Skip($"link {link.Id} has no {KindMapping.DisplayName(target)} conversation");
        }

        return change switch
        {
            ChangeKind.Created => DecideCreate(message, target, link, targetCaps, targetHasMapping),
            ChangeKind.Edited => DecideEdit(message, source, target, link, targetCaps, policy, targetHasMapping),
            ChangeKind.Redacted => DecideRedact(target, targetCaps, targetHasMapping),
            ChangeKind.Deleted => DecideDelete(target, targetCaps, policy, targetHasMapping),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown change kind."),
        };
    }

    private static RouteDecision DecideCreate(
        CanonicalMessage message, SystemId target, ConversationLink link, SystemCapabilities caps, bool targetHasMapping)
    {
        if (targetHasMapping)
        {
            return new RouteDecision.Skip($"already copied to {KindMapping.DisplayName(target)}");
        }

        if (message.RedactedAt is not null)
        {
            return new RouteDecision.Skip("the message was redacted before it was copied");
        }

        if (message.DeletedAt is not null)
        {
            return new RouteDecision.Skip("the message was deleted before it was copied");
        }

        var (targetKind, label) = KindMapping.ForTarget(message.Kind, message.Origin.System, target, link, caps);
        if (VisibilityGuard.Violation(target, targetKind, message, link, sendsEmail: false) is { } refusal)
        {
            return Withheld(refusal);
        }

        if (!caps.CreatableKinds.Contains(targetKind))
        {
            return new RouteDecision.Outcome(OutcomeKind.Skipped, $"{KindMapping.DisplayName(target)} cannot create {targetKind} messages");
        }

        return new RouteDecision.Create(targetKind, label);
    }

    private static RouteDecision DecideEdit(
        CanonicalMessage message, SystemId source, SystemId target, ConversationLink link, SystemCapabilities caps, TargetPolicy policy, bool targetHasMapping)
    {
        if (!targetHasMapping)
        {
            return new RouteDecision.Skip($"no copy in {KindMapping.DisplayName(target)} to edit; a pending create carries the current content");
        }

        if (message.RedactedAt is not null || message.DeletedAt is not null)
        {
            return new RouteDecision.Skip("the message was redacted or deleted since; that change supersedes the edit");
        }

        var (targetKind, label) = KindMapping.ForTarget(message.Kind, message.Origin.System, target, link, caps);
        if (caps.CanEdit)
        {
            // The copy was allowed when created; the same check again keeps an edit from changing where it shows.
            return VisibilityGuard.Violation(target, targetKind, message, link, sendsEmail: false) is { } refusal
                ? Withheld(refusal)
                : new RouteDecision.Edit(targetKind, label);
        }

        if (policy.Edits == EditPolicy.Ignore)
        {
            return new RouteDecision.Skip($"{KindMapping.DisplayName(target)} cannot edit and its edit policy is Ignore");
        }

        if (!caps.CreatableKinds.Contains(MessageKind.InternalNote))
        {
            return new RouteDecision.Outcome(OutcomeKind.Skipped, $"{KindMapping.DisplayName(target)} can neither edit nor take an internal note");
        }

        if (VisibilityGuard.Violation(target, MessageKind.InternalNote, message, link, sendsEmail: false) is { } noteRefusal)
        {
            return new RouteDecision.Outcome(OutcomeKind.Skipped, $"withheld edit note: {noteRefusal.Reason}");
        }

        return new RouteDecision.AppendNote($"Edited in {KindMapping.DisplayName(source)}");
    }

    /// <summary>
    /// A write the guard refuses. Withheld by the visibility invariant: a recorded outcome (a routing gap an operator should
    /// see). Withheld by the delivery rule: an explained skip, because that is the rule working as designed for this link
    /// (an agent's reply to a customer-visible Cord thread's customer was delivered by the system it was written in).
    /// </summary>
    private static RouteDecision Withheld(Refusal refusal) => refusal.Rule == GuardRule.Delivery
        ? new RouteDecision.Skip(refusal.Reason)
        : new RouteDecision.Outcome(OutcomeKind.Skipped, $"withheld: {refusal.Reason}");

    private static RouteDecision DecideRedact(SystemId target, SystemCapabilities caps, bool targetHasMapping)
    {
        if (!targetHasMapping)
        {
            return new RouteDecision.Skip($"no copy in {KindMapping.DisplayName(target)} to redact");
        }

        return caps.CanRedact
            ? new RouteDecision.Redact()
            : new RouteDecision.Outcome(
                OutcomeKind.UnpropagatedRedaction,
                $"{KindMapping.DisplayName(target)} cannot redact: its copy still shows the content until removed by hand");
    }

    private static RouteDecision DecideDelete(SystemId target, SystemCapabilities caps, TargetPolicy policy, bool targetHasMapping)
    {
        if (!targetHasMapping)
        {
            return new RouteDecision.Skip($"no copy in {KindMapping.DisplayName(target)} to delete");
        }

        var name = KindMapping.DisplayName(target);
        switch (policy.Deletion)
        {
            case DeletionPolicy.Ignore:
                return new RouteDecision.Skip($"the deletion policy of {name} is Ignore");

            case DeletionPolicy.Redact:
                return caps.CanRedact
                    ? new RouteDecision.Redact()
                    : new RouteDecision.Outcome(OutcomeKind.Skipped, $"{name} cannot redact, so the deletion (policy Redact) was not carried out");

            case DeletionPolicy.Delete:
                var soft = caps.CanSoftDelete && (policy.PreferSoftDelete || !caps.CanDelete);
                if (soft)
                {
                    return new RouteDecision.Delete(DeleteMode.Soft);
                }

                return caps.CanDelete
                    ? new RouteDecision.Delete(DeleteMode.Hard)
                    : new RouteDecision.Outcome(OutcomeKind.Skipped, $"{name} cannot delete messages, so its copy remains");

            default:
                throw new ArgumentOutOfRangeException(nameof(policy), policy.Deletion, "Unknown deletion policy.");
        }
    }
}
