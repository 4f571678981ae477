using MessageSync.Core.Model;
using MessageSync.Core.State;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// Compares what people wrote (the <see cref="Ledger"/>) with what the three systems store (<see cref="SimState"/>) and what
/// the worker reports (<see cref="WorkerStateView"/>), message by message, and names every broken promise: duplicates,
/// missing copies and edit notes, leaks, double deliveries, redaction and deletion leftovers, copies the worker could not
/// change but did not report, faulted and stuck changes. Expectations come from <see cref="Expectations"/>.
/// </summary>
public static class Verifier
{
    public static VerificationReport Verify(Ledger ledger, SimState state, WorkerStateView worker)
    {
        var findings = new List<Finding>();
        int unpropagated = 0, unpropagatedCopies = 0, undeletable = 0, held = 0;
        var conversations = ledger.Links.SelectMany(l => Expectations.Systems.Select(s => (Key: (s, Expectations.Conversation(l, s)), Link: l)))
            .ToDictionary(x => x.Key, x => x.Link);

        foreach (var message in ledger.Messages)
        {
            var link = message.Link;
            var copies = state.CopiesOf(message.Id);
            var own = copies.Where(c => c.Conversation == Expectations.Conversation(link, c.System)).ToList();

            // A message of one link anywhere in another link's conversation: one customer's text shown to another.
            foreach (var stray in copies.Except(own))
            {
                var where = conversations.TryGetValue((stray.System, stray.Conversation), out var other) ? $"link {other.Id}" : "no link";
                findings.Add(new(FindingKind.Leak, message.ToString(), $"copied into {stray} of {where}"));
            }

            CheckCopies(message, own, worker, findings);
            CheckEditNotes(message, own, findings);
            CheckVisibility(message, own, findings);
            switch (message.Removal)
            {
                case Removal.Redacted:
                    var (reported, reportedCopies) = CheckRedaction(message, own, worker, findings);
                    unpropagated += reported > 0 ? 1 : 0;
                    unpropagatedCopies += reportedCopies;
                    break;
                case Removal.Deleted when IsHeld(message, worker):
                    held++;
                    break;
                case Removal.Deleted:
                    undeletable += CheckDeletion(message, own, worker, findings);
                    break;
            }
        }

        foreach (var outcome in worker.OpenOutcomes.Where(o => o.Kind is OutcomeKind.Faulted or OutcomeKind.Parked))
        {
            var subject = worker.MessageIdOf(outcome.CanonicalId) is { } id ? ledger.Find(id)!.ToString() : $"canonical {outcome.CanonicalId}";
            findings.Add(new(FindingKind.Faulted, subject, $"{outcome.Kind} {outcome.Change} for {outcome.Target}: {outcome.Reason}"));
        }

        foreach (var change in worker.Unapplied)
        {
            var subject = worker.MessageIdOf(change.Message.CanonicalId) is { } id ? ledger.Find(id)!.ToString() : $"canonical {change.Message.CanonicalId}";
            findings.Add(new(FindingKind.Stuck, subject,
                $"{change.Message.Change} #{change.Sequence} applied only to [{string.Join(", ", change.AppliedTargets)}]"));
        }

        var open = worker.OpenOutcomes
            .GroupBy(o => $"{o.Kind} {o.Change} {o.Target}: {Head(o.Reason)}")
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new VerificationReport(findings, unpropagated, unpropagatedCopies, undeletable, open) { ReportedHeldDeletions = held };
    }

    /// <summary>One original in its origin, one copy in every other system routing sends it to; none where it must not go.</summary>
    private static void CheckCopies(LedgerMessage message, IReadOnlyList<SimCopy> own, WorkerStateView worker, List<Finding> findings)
    {
        foreach (var system in Expectations.Systems)
        {
            var primaries = own.Where(c => c.System == system && !c.EditNote).ToList();
            if (system == message.Origin)
            {
                foreach (var echo in primaries.Where(c => c.ExternalId != message.OriginExternalId))
                {
                    findings.Add(new(FindingKind.Duplicate, message.ToString(), $"written back into its own system as {echo}"));
                }

                continue;
            }

            var (presence, why) = Expectations.Copy(message, system);
            if (primaries.Count > 1)
            {
                findings.Add(new(FindingKind.Duplicate, message.ToString(), $"{primaries.Count} copies in {system}: {string.Join("; ", primaries)}"));
            }

            if (presence == Presence.Forbidden && message.Kind != MessageKind.InternalNote && !message.ReachedCustomerAtOrigin)
            {
                // An internal note in a forbidden place is a leak, and a reply the customer got at its origin a double
                // delivery, both reported below; anything else is the delivery rule broken once.
                foreach (var copy in primaries)
                {
                    findings.Add(new(FindingKind.DoubleDelivery, message.ToString(), $"copied into {copy}, which {why}"));
                }
            }

            if (presence == Presence.Required && !primaries.Any(c => c.Live))
            {
                var outcomes = worker.OutcomesOf(message, system).Select(o => $"{o.Kind} {o.Change}: {o.Reason}").ToList();
                findings.Add(new(FindingKind.Missing, message.ToString(),
                    $"no live copy in {system} ({(primaries.Count == 0 ? "none at all" : string.Join("; ", primaries))}); expected because {why}; "
                    + (outcomes.Count > 0 ? "open outcome: " + string.Join(" | ", outcomes) : worker.CanonicalOf(message) is null ? "the worker never detected the message" : "no outcome recorded")));
            }
        }

        if (Expectations.MustBeDeliveredViaPylon(message) && message.Removal == Removal.None
            && !own.Any(c => c.System == SystemId.Pylon && !c.EditNote && c.ReachedCustomer))
        {
            findings.Add(new(FindingKind.Missing, message.ToString(),
                "never reached the customer: link delivers replies via Pylon, so the helpdesk reply (e-mail off) must be a Pylon reply; Pylon has "
                + string.Join("; ", own.Where(c => c.System == SystemId.Pylon))));
        }
    }

    /// <summary>One "Edited in ..." note per edit in each system that cannot edit: the note of each version, once.</summary>
    private static void CheckEditNotes(LedgerMessage message, IReadOnlyList<SimCopy> own, List<Finding> findings)
    {
        for (var i = 0; i < message.Edits.Count; i++)
        {
            var edit = message.Edits[i];
            foreach (var target in Expectations.EditNoteTargets(message, edit.On))
            {
                var notes = own.Where(c => c.System == target && c.EditNote && c.Tokens.Contains(edit.Token)).ToList();
                if (notes.Count > 1)
                {
                    findings.Add(new(FindingKind.Duplicate, message.ToString(), $"edit {i + 1} ({edit.Token}) noted {notes.Count} times in {target}: {string.Join("; ", notes)}"));
                }

                if (notes.Count == 0 && message.Removal == Removal.None)
                {
                    findings.Add(new(FindingKind.Missing, message.ToString(), $"no \"Edited in\" note in {target} for edit {i + 1} ({edit})"));
                }
            }
        }
    }

    /// <summary>Internal notes never where a customer sees them; a reply reaches the customer at most once.</summary>
    private static void CheckVisibility(LedgerMessage message, IReadOnlyList<SimCopy> own, List<Finding> findings)
    {
        if (message.Kind == MessageKind.InternalNote)
        {
            foreach (var exposed in own.Where(c => Expectations.CustomerVisible(c, message.Link)))
            {
                findings.Add(new(FindingKind.Leak, message.ToString(), $"internal note visible to the customer in {exposed}"
                    + (exposed.System == SystemId.Cord ? " (a customer-visible thread)" : "")));
            }
        }

        if (message.Kind == MessageKind.AgentReply)
        {
            var deliveries = own.Where(c => !c.EditNote && Expectations.Delivers(c, message.Link)).ToList();
            if (deliveries.Count > 1)
            {
                findings.Add(new(FindingKind.DoubleDelivery, message.ToString(), $"reached the customer {deliveries.Count} times: {string.Join("; ", deliveries)}"));
            }
        }
    }

    /// <summary>Every copy that can be redacted shows nothing; each helpdesk copy still showing the text is reported.</summary>
    private static (int Reported, int Copies) CheckRedaction(LedgerMessage message, IReadOnlyList<SimCopy> own, WorkerStateView worker, List<Finding> findings)
    {
        var reportedCopies = 0;
        foreach (var copy in own)
        {
            if (Expectations.CanRedact(copy.System))
            {
                findings.Add(new(FindingKind.RedactionLeftover, message.ToString(),
                    $"{string.Join(",", copy.Tokens)} still readable in {copy}{(copy.EditNote ? " (an edit note)" : "")}; redacted by {message.RemovalDetail}"));
            }
            else if (worker.OutcomesOf(message, copy.System).Any(o => o.Kind == OutcomeKind.UnpropagatedRedaction))
            {
                reportedCopies++;
            }
            else
            {
                findings.Add(new(FindingKind.Unreported, message.ToString(),
                    $"{copy} still shows the redacted text and no open unpropagated-redaction outcome says so; redacted by {message.RemovalDetail}"));
            }
        }

        return (reportedCopies > 0 ? 1 : 0, reportedCopies);
    }

    /// <summary>Every copy that can be deleted is; each live helpdesk copy is reported by an outcome.</summary>
    private static int CheckDeletion(LedgerMessage message, IReadOnlyList<SimCopy> own, WorkerStateView worker, List<Finding> findings)
    {
        var reported = 0;
        foreach (var copy in own.Where(c => c.Live))
        {
            if (Expectations.CanDelete(copy.System))
            {
                findings.Add(new(FindingKind.DeletionLeftover, message.ToString(),
                    $"{copy}{(copy.EditNote ? " (an edit note)" : "")} is still there; deleted by {message.RemovalDetail}"));
            }
            else if (worker.OutcomesOf(message, copy.System).Any(o => o.Change == ChangeKind.Deleted))
            {
                reported++;
            }
            else
            {
                findings.Add(new(FindingKind.Unreported, message.ToString(), $"{copy} remains after the deletion and no open outcome says so; deleted by {message.RemovalDetail}"));
            }
        }

        return reported;
    }

    /// <summary>
    /// The deletion was held for an operator by the mass-deletion guard (issue 9.8: more than Sync:Polling:MassDeletionShare
    /// of the conversation vanished in one scan, which a read gap looks like too) and an open held_deletion outcome says so.
    /// </summary>
    private static bool IsHeld(LedgerMessage message, WorkerStateView worker) =>
        Expectations.Systems.Any(s => worker.OutcomesOf(message, s).Any(o => o.Kind == OutcomeKind.HeldDeletion));

    private static string Head(string reason) => reason.Length > 60 ? reason[..60] + "..." : reason;
}
