using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;

namespace MessageSync.Core.Tests.Routing;

/// <summary>
/// The visibility invariant and the delivery rule as properties over every routing combination (DESIGN.md): every message
/// kind, source, target, change kind, target policy, link option and capability set, with and without a copy in the target,
/// for live, redacted and deleted messages.
/// </summary>
public sealed class RouterPropertyTests
{
    private static readonly MessageKind[] Kinds = Enum.GetValues<MessageKind>();
    private static readonly SystemId[] Systems = Enum.GetValues<SystemId>();

    private static IEnumerable<SystemCapabilities> AllCapabilities()
    {
        IReadOnlySet<MessageKind>[] creatable =
        [
            Kinds.ToHashSet(),
            new HashSet<MessageKind>(),
            new HashSet<MessageKind> { MessageKind.InternalNote },
            Kinds.Where(k => k != MessageKind.InternalNote).ToHashSet(),
            new HashSet<MessageKind> { MessageKind.CustomerMessage, MessageKind.AgentReply, MessageKind.InternalNote },
        ];
        foreach (var kinds in creatable)
        {
            for (var flags = 0; flags < 32; flags++)
            {
                yield return new SystemCapabilities
                {
                    CreatableKinds = kinds,
                    CanEdit = (flags & 1) != 0,
                    CanRedact = (flags & 2) != 0,
                    CanDelete = (flags & 4) != 0,
                    CanSoftDelete = (flags & 8) != 0,
                    CanPostAsAuthor = (flags & 16) != 0,
                };
            }
        }
    }

    private static IEnumerable<TargetPolicy> AllPolicies() =>
        from deletion in Enum.GetValues<DeletionPolicy>()
        from edits in Enum.GetValues<EditPolicy>()
        from soft in new[] { true, false }
        select new TargetPolicy { Deletion = deletion, Edits = edits, PreferSoftDelete = soft };

    private static IEnumerable<ConversationLink> AllLinks() =>
        from delivery in Enum.GetValues<ReplyDelivery>()
        from visible in new[] { true, false }
        from withoutCord in new[] { false, true }
        select new ConversationLink
        {
            Id = "link-1",
            PylonIssueId = "iss_1",
            HelpdeskTicketId = "tkt_9",
            CordThreadId = withoutCord ? null : "th_4",
            CordThreadCustomerVisible = visible,
            DeliverRepliesVia = delivery,
        };

    private static IEnumerable<CanonicalMessage> AllMessageStates(MessageKind kind, SystemId origin)
    {
        var live = RoutingSamples.Message(kind, origin);
        yield return live;
        yield return live with { RedactedAt = DateTimeOffset.UnixEpoch, BodyHtml = "", BodyText = "" };
        yield return live with { DeletedAt = DateTimeOffset.UnixEpoch };
    }

    [Fact]
    public void No_decision_ever_breaks_the_visibility_invariant_or_the_delivery_rule()
    {
        var capabilities = AllCapabilities().ToList();
        var policies = AllPolicies().ToList();
        var links = AllLinks().ToList();
        var checkedCount = 0;
        var internalNoteWrites = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var kind in Kinds)
        foreach (var source in Systems)
        foreach (var message in AllMessageStates(kind, source))
        foreach (var target in Systems)
        foreach (var change in Enum.GetValues<ChangeKind>())
        foreach (var link in links)
        foreach (var policy in policies)
        foreach (var caps in capabilities)
        foreach (var mapped in new[] { false, true })
        {
            var decision = Router.Decide(change, message, source, target, link, caps, policy, mapped);
            string Context() => $"{change} {kind} {source}->{target} mapped={mapped} live={message.RedactedAt is null && message.DeletedAt is null} {link} {policy} {Describe(caps)} => {decision}";
            Check(decision, change, message, source, target, link, caps, policy, mapped, Context);
            if (decision is RouteDecision.Create or RouteDecision.Edit or RouteDecision.AppendNote && message.Kind == MessageKind.InternalNote)
            {
                internalNoteWrites++;
            }

            seen.Add(decision.GetType().Name);
            checkedCount++;
        }

        // The enumeration really covered the space: every decision type occurred.
        Assert.Equal(["AppendNote", "Create", "Delete", "Edit", "Outcome", "Redact", "Skip"], seen.Order(StringComparer.Ordinal));
        Assert.True(checkedCount > 1_000_000, $"only {checkedCount} combinations checked");
        Assert.True(internalNoteWrites > 0, "internal notes were never written anywhere: the invariant was checked on nothing");
    }

    private static void Check(
        RouteDecision decision, ChangeKind change, CanonicalMessage message, SystemId source, SystemId target, ConversationLink link,
        SystemCapabilities caps, TargetPolicy policy, bool mapped, Func<string> context)
    {
        void That(bool condition, string rule)
        {
            if (!condition)
            {
                Assert.Fail($"{rule}: {context()}");
            }
        }

        var live = message.RedactedAt is null && message.DeletedAt is null;

        if (target == source && change is ChangeKind.Created or ChangeKind.Edited)
        {
            That(decision is RouteDecision.Skip, "a new message or version is never written back to its source");
        }

        if (link.ConversationId(target) is null)
        {
            That(decision is RouteDecision.Skip, "a target outside the link is never written");
        }

        switch (decision)
        {
            case RouteDecision.Create create:
                That(change == ChangeKind.Created && !mapped && live, "only a live, uncopied message is created");
                That(!(target == SystemId.Pylon && create.TargetKind == MessageKind.CustomerMessage) || caps.CanPostAsAuthor, "a customer's message becomes a Pylon reply only posted as the contact");
                That(caps.CreatableKinds.Contains(create.TargetKind), "only a kind the target can create");
                That(VisibilityGuard.Violation(target, create.TargetKind, message, link, sendsEmail: false) is null, "the adapter's guard accepts every create the router makes");
                CheckWrittenKind(message, create.TargetKind, target, link, That);
                break;

            case RouteDecision.Edit edit:
                That(change == ChangeKind.Edited && mapped && live && caps.CanEdit, "an edit only where the target can edit a copy");
                That(VisibilityGuard.Violation(target, edit.TargetKind, message, link, sendsEmail: false) is null, "the adapter's guard accepts every edit");
                CheckWrittenKind(message, edit.TargetKind, target, link, That);
                break;

            case RouteDecision.AppendNote note:
                That(change == ChangeKind.Edited && mapped && live && !caps.CanEdit && policy.Edits == EditPolicy.AppendNote, "a note only for an edit the target cannot make, by policy");
                That(caps.CreatableKinds.Contains(MessageKind.InternalNote) && note.TargetKind == MessageKind.InternalNote, "the note is an internal note the target can take");
                That(!VisibilityGuard.IsCustomerVisible(target, note.TargetKind, link), "an edit note is never customer-visible");
                break;

            case RouteDecision.Redact:
                That(mapped && caps.CanRedact, "a redaction only of an existing copy, where the target can redact");
                That(change == ChangeKind.Redacted || (change == ChangeKind.Deleted && policy.Deletion == DeletionPolicy.Redact), "redact for a redaction, or a deletion under policy Redact");
                break;

            case RouteDecision.Delete delete:
                That(change == ChangeKind.Deleted && mapped && policy.Deletion == DeletionPolicy.Delete, "a delete only for a deletion of a copy, under policy Delete");
                That(delete.Mode == DeleteMode.Soft ? caps.CanSoftDelete : caps.CanDelete, "a delete mode the target supports");
                break;

            case RouteDecision.Skip skip:
                That(!string.IsNullOrWhiteSpace(skip.Reason), "a skip always explains itself");
                break;

            case RouteDecision.Outcome outcome:
                That(!string.IsNullOrWhiteSpace(outcome.Reason), "an outcome always explains itself");
                That(outcome.Kind is OutcomeKind.Skipped or OutcomeKind.UnpropagatedRedaction, "the router records only what it decides (parked and faulted come from writes)");
                break;

            default:
                Assert.Fail($"unknown decision: {context()}");
                break;
        }

        // Redaction anywhere is redaction everywhere: never a silent skip where a copy exists.
        if (change == ChangeKind.Redacted && mapped && link.ConversationId(target) is not null)
        {
            That(
                decision is RouteDecision.Redact || decision is RouteDecision.Outcome { Kind: OutcomeKind.UnpropagatedRedaction },
                "a redaction reaches the copy or is recorded as unpropagated");
        }

        // An action the target cannot take (or may not, for visibility) is recorded, not dropped: only rule-based and
        // policy-chosen skips are unrecorded.
        if (decision is RouteDecision.Skip && !(target == source && change is ChangeKind.Created or ChangeKind.Edited) && link.ConversationId(target) is not null)
        {
            var explainedByRule = !mapped && change != ChangeKind.Created
                || mapped && change == ChangeKind.Created
                || !live
                || message.Kind == MessageKind.AgentReply && target == SystemId.Cord && link.CordThreadCustomerVisible
                || change == ChangeKind.Edited && policy.Edits == EditPolicy.Ignore && !caps.CanEdit
                || change == ChangeKind.Deleted && policy.Deletion == DeletionPolicy.Ignore;
            That(explainedByRule, "a skip is a no-op by rule or by the configured policy, never a dropped capability gap");
        }
    }

    /// <summary>The kinds a copy may take, per target: the visibility invariant and the delivery rule.</summary>
    private static void CheckWrittenKind(CanonicalMessage message, MessageKind written, SystemId target, ConversationLink link, Action<bool, string> that)
    {
        var kind = message.Kind;

        // The delivery rule: a reply reaches the customer once, from the system the agent wrote it in. A copy that would reach
        // the customer again (a Pylon reply, anything in a customer-visible Cord thread) is never an agent's reply, except a
        // helpdesk reply into Pylon where the link says its customer is reached only through Pylon.
        var reachesCustomer = (target == SystemId.Pylon && written is MessageKind.CustomerMessage or MessageKind.AgentReply)
            || (target == SystemId.Cord && link.CordThreadCustomerVisible);
        if (reachesCustomer && (kind == MessageKind.AgentReply || written == MessageKind.AgentReply))
        {
            that(
                target == SystemId.Pylon && written == MessageKind.AgentReply && link.DeliverRepliesVia == ReplyDelivery.Pylon && message.Origin.System == SystemId.Helpdesk,
                "a reply reaches the customer once: only a helpdesk reply, into Pylon, on the link's opt-in");
        }

        if (kind == MessageKind.InternalNote)
        {
            that(written == MessageKind.InternalNote, "an internal note stays an internal note");
            that(!VisibilityGuard.IsCustomerVisible(target, written, link), "an internal note is never written customer-visibly");
        }

        switch (target)
        {
            case SystemId.Pylon:
                // A Pylon reply reaches the customer: only the customer's own message (posted as the contact), or an agent
                // reply where the link opted in.
                var reply = written is MessageKind.CustomerMessage or MessageKind.AgentReply;
                that(
                    !reply
                    || (kind == MessageKind.CustomerMessage && written == MessageKind.CustomerMessage)
                    || (kind == MessageKind.AgentReply && written == MessageKind.AgentReply && link.DeliverRepliesVia == ReplyDelivery.Pylon),
                    "a Pylon reply only for a customer message or an opted-in agent reply");
                that(kind != MessageKind.AgentReply || link.DeliverRepliesVia == ReplyDelivery.Pylon || written == MessageKind.InternalNote, "an agent reply reaches Pylon as an internal note");
                break;

            case SystemId.Helpdesk:
                that(written == kind || (kind == MessageKind.SystemEvent && written == MessageKind.InternalNote), "the helpdesk takes the same kind");
                break;

            case SystemId.Cord:
                that(written == kind, "Cord takes every kind as it is");
                that(!(link.CordThreadCustomerVisible && written == MessageKind.InternalNote), "no internal note in a customer-visible Cord thread");
                break;
        }
    }

    private static string Describe(SystemCapabilities caps) =>
        $"creates[{string.Join(',', caps.CreatableKinds.Order())}] asAuthor={caps.CanPostAsAuthor} edit={caps.CanEdit} redact={caps.CanRedact} delete={caps.CanDelete} soft={caps.CanSoftDelete}";
}
