using MessageSync.Core.Contracts;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

/// <summary>
/// The engine's durable state (DESIGN.md, "State store"): links, cursors, snapshots, canonical messages, mappings,
/// intents, the outbox and outcomes, on SQLite or PostgreSQL (<see cref="StateStore"/>). Small on purpose.
/// Every method that writes several rows does so in one transaction.
/// </summary>
public interface IStateStore
{
    // Links added with the `links` command (configuration links live in configuration).
    Task UpsertLinkAsync(ConversationLink link, CancellationToken cancellationToken = default);

    /// <returns>False when no stored link had that id.</returns>
    Task<bool> RemoveLinkAsync(string linkId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredLink>> ListLinksAsync(CancellationToken cancellationToken = default);

    // Detection.

    /// <summary>
    /// Applies one poll in one transaction: snapshot rows, canonical message rows, outbox rows with the next per-link
    /// sequence, and the cursor. A Created change whose external id is already known (a mirror recorded meanwhile) is
    /// suppressed as an echo; an Edited/Redacted/Deleted change that changes nothing in the canonical copy is suppressed too.
    /// </summary>
    Task<ObservationCommitResult> CommitObservationAsync(ObservationCommit commit, CancellationToken cancellationToken = default);

    Task<string?> GetCursorAsync(string linkId, SystemId system, CancellationToken cancellationToken = default);

    Task<IReadOnlyDictionary<string, SnapshotEntry>> GetSnapshotAsync(string linkId, SystemId system, CancellationToken cancellationToken = default);

    /// <summary>The snapshot rows of <paramref name="externalIds"/> only (those the store has): what a resumed poll's page needs.</summary>
    Task<IReadOnlyDictionary<string, SnapshotEntry>> GetSnapshotAsync(
        string linkId, SystemId system, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every marker MessageSync put into the link's conversation in <paramref name="system"/> (mirrors, edit notes, creates in
    /// flight): the only markers a poll trusts (issue 9.5), and the evidence recovery reads (does this system keep markers?).
    /// </summary>
    Task<IReadOnlyList<OwnWrite>> GetOwnWritesAsync(string linkId, SystemId system, CancellationToken cancellationToken = default);

    // Canonical messages.
    Task<CanonicalMessage?> GetMessageAsync(Guid canonicalId, CancellationToken cancellationToken = default);

    // Outbox.
    Task<IReadOnlyList<OutboxEntry>> GetUnpublishedAsync(int max, CancellationToken cancellationToken = default);

    Task MarkPublishedAsync(IEnumerable<long> sequences, CancellationToken cancellationToken = default);

    // Apply.

    /// <summary>Where the message lives in <paramref name="target"/>: its mirror, or its origin when the target is the origin system.</summary>
    Task<MappingEntry?> GetMappingAsync(Guid canonicalId, SystemId target, CancellationToken cancellationToken = default);

    Task RecordIntentAsync(Guid canonicalId, SystemId target, WriteAction action, string marker, CancellationToken cancellationToken = default);

    Task<IntentEntry?> GetIntentAsync(Guid canonicalId, SystemId target, WriteAction action, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes an intent whose write is known not to have taken effect (recovery found no copy where the target keeps our
    /// marker), so nothing counts it as a write in flight any more.
    /// </summary>
    Task DropIntentAsync(Guid canonicalId, SystemId target, WriteAction action, CancellationToken cancellationToken = default);

    /// <summary>
    /// After a successful create: the mapping, the removal of the create intent and a snapshot row for the mirror, in one
    /// transaction, so the next poll of <paramref name="target"/> reads the mirror as already known (echo suppression).
    /// </summary>
    /// <param name="baseline">
    /// The mirror's snapshot baseline (<c>MessageHash.BaselineOf</c> the copy as written), so a person's edit made before the
    /// first read-back is still an edit; null when unknown (a recovered write): the next read is adopted as it is.
    /// </param>
    Task RecordMappingAsync(
        Guid canonicalId, SystemId target, string externalId, MessageKind targetKind, string? baseline, CancellationToken cancellationToken = default);

    /// <summary>
    /// After a successful edit, redaction or deletion of one copy (<paramref name="externalId"/>: a mirror, an original, an
    /// edit note): removes the intent and resets that copy's snapshot baseline (and marks it redacted or deleted), in one
    /// transaction, so reading our own change back is not a new change and a repeat skips what is done.
    /// </summary>
    /// <param name="baseline">The new baseline after an edit (see <see cref="RecordMappingAsync"/>); null: adopt the next read.</param>
    Task RecordMirrorChangedAsync(
        Guid canonicalId, SystemId target, string externalId, WriteAction action, string? baseline = null, CancellationToken cancellationToken = default);

    /// <summary>Every copy of a message in one system, as its snapshot rows know them: the original or mirror first, then edit notes.</summary>
    Task<IReadOnlyList<CopyEntry>> GetCopiesAsync(Guid canonicalId, SystemId system, CancellationToken cancellationToken = default);

    // Edit notes (issue 9.1): each note is a copy of its own, keyed by the change it was written for (its marker).

    /// <summary>The note written (or being written) for <paramref name="changeId"/> in <paramref name="target"/>, if any.</summary>
    Task<NoteCopy?> GetNoteCopyAsync(Guid changeId, SystemId target, CancellationToken cancellationToken = default);

    /// <summary>Before the note's remote write: its intent (a row with no id yet), kept if one exists.</summary>
    Task RecordNoteIntentAsync(Guid changeId, SystemId target, Guid canonicalId, CancellationToken cancellationToken = default);

    /// <summary>A note's intent whose write was never sent (the adapter failed before sending): nothing to look for later.</summary>
    Task DropNoteIntentAsync(Guid changeId, SystemId target, CancellationToken cancellationToken = default);

    // What the engine learned about each system (issue 9.6).

    /// <summary>Whether <paramref name="system"/> was seen to keep our data-sync-id marker; null until a copy of ours showed it.</summary>
    Task<MarkerKeeping?> GetMarkerKeepingAsync(SystemId system, CancellationToken cancellationToken = default);

    /// <summary>Records what a copy of ours showed about the system keeping our marker (<paramref name="evidence"/> names the copy).</summary>
    Task RecordMarkerKeepingAsync(SystemId system, bool keeps, string evidence, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> links (not <paramref name="exceptLinkId"/>) with mirrors of ours in the system, latest first.</summary>
    Task<IReadOnlyList<string>> GetLinksWithCopiesAsync(SystemId system, string exceptLinkId, int limit, CancellationToken cancellationToken = default);

    /// <summary>After the note's write: its id and a snapshot row for it (a note row, from <paramref name="baseline"/>), in one transaction.</summary>
    Task RecordNoteCopyAsync(
        Guid changeId, SystemId target, Guid canonicalId, string externalId, string? baseline, CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="changeId"/> was already handled for <paramref name="target"/> (applied, skipped or recorded).</summary>
    Task<bool> IsChangeAppliedAsync(Guid changeId, SystemId target, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when <paramref name="change"/> was handled for <paramref name="target"/>: recorded as applied, or removed by
    /// retention after every endpoint had applied it (a redelivery long after is still recognised).
    /// </summary>
    Task<bool> IsChangeAppliedAsync(MessageChanged change, SystemId target, CancellationToken cancellationToken = default);

    /// <summary>
    /// Retention (<c>Sync:Retention</c>): removes what no longer serves idempotency or recovery, in short batches. Never an
    /// unapplied change, a mapping, a snapshot row, an intent, a note copy or an open outcome.
    /// </summary>
    Task<PruneResult> PruneAsync(RetentionCutoffs cutoffs, CancellationToken cancellationToken = default);

    /// <summary>Records that a change was handled for a target, with a short result for the operator; idempotent.</summary>
    Task MarkChangeAppliedAsync(Guid changeId, SystemId target, string result, CancellationToken cancellationToken = default);

    /// <summary>
    /// A change applied to a target: its message's open outcomes there are resolved and the change is marked applied, in one
    /// transaction (<see cref="ResolveOutcomesAsync"/> and <see cref="MarkChangeAppliedAsync"/> together, one round trip
    /// fewer per applied change); idempotent.
    /// </summary>
    Task CompleteChangeAsync(Guid changeId, Guid canonicalId, SystemId target, string result, CancellationToken cancellationToken = default);

    // Recovery and replay.

    /// <summary>Outbox rows that not every consumer endpoint has recorded as applied (backfill waits for none).</summary>
    Task<IReadOnlyList<UnappliedChange>> ListUnappliedChangesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks published-but-unapplied rows unpublished again, so the relay sends them once more. Used at start with the
    /// in-memory transport, whose queues die with the process; consumers skip what was applied meanwhile.
    /// </summary>
    Task<int> RequeueUnappliedAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes a targeted outbox row that sends an outcome's change again and marks the outcome resolved; null when it cannot be replayed.</summary>
    Task<MessageChanged?> ReplayOutcomeAsync(long outcomeId, CancellationToken cancellationToken = default);

    // Outcomes.
    Task<long> RecordOutcomeAsync(NewOutcome outcome, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<OutcomeRecord>> ListOutcomesAsync(bool includeResolved, CancellationToken cancellationToken = default);

    /// <returns>False when the outcome does not exist or was already acknowledged.</returns>
    Task<bool> AcknowledgeOutcomeAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Marks the open outcomes of a message in a target resolved (a replay or later change succeeded).</summary>
    Task<int> ResolveOutcomesAsync(Guid canonicalId, SystemId target, CancellationToken cancellationToken = default);

    // Status.
    Task<StoreStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    // Several processes (DESIGN.md, "Several processes").

    /// <summary>Takes <paramref name="name"/> for <paramref name="owner"/> when free or expired, or renews it; the fencing token, or null when another owner holds it.</summary>
    Task<long?> TryAcquireLeaseAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Lets the lease go at once (a clean stop), so a standby takes over without waiting for it to expire.</summary>
    Task ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<LeaseRecord>> ListLeasesAsync(CancellationToken cancellationToken = default);

    /// <summary>Records a backfill request: every (link, system) of <paramref name="scope"/> pending. Returns its id.</summary>
    Task<long> RequestBackfillAsync(string requestedBy, IReadOnlyCollection<(string LinkId, SystemId System)> scope, bool dryRun, CancellationToken cancellationToken = default);

    /// <summary>What the owner of <paramref name="system"/> still has to walk, oldest request first.</summary>
    Task<IReadOnlyList<BackfillProgress>> PendingBackfillAsync(SystemId system, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<BackfillProgress>> GetBackfillAsync(long requestId, CancellationToken cancellationToken = default);

    /// <summary>Records the walk of one (request, link, system) as done or failed; a second record of the same pair changes nothing.</summary>
    Task RecordBackfillAsync(BackfillProgress progress, CancellationToken cancellationToken = default);
}
