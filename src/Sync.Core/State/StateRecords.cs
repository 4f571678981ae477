using MessageSync.Core.Contracts;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

/// <summary>
/// What the store last saw of one external message in one system (DESIGN.md, "Detection by diff").
/// A mirror's row carries the canonical id of the message it copies, so a person's change to the copy is a change of that message.
/// </summary>
/// <param name="ContentHash">
/// Null while the row is a baseline the worker wrote itself (a mirror just created or changed): the next read adopts
/// whatever hash the system renders without calling it an edit, so a system that reformats our HTML never causes an echo.
/// </param>
/// <param name="IsNote">
/// The row of an edit note MessageSync wrote (a copy of <paramref name="CanonicalId"/>'s content at one edit): a person deleting
/// or editing it changes nothing of the message; redacting it redacts the message, as a redaction anywhere does.
/// </param>
public sealed record SnapshotEntry(
    string ExternalId,
    Guid CanonicalId,
    string? ContentHash,
    DateTimeOffset? UpdatedStamp = null,
    bool Deleted = false,
    bool Redacted = false,
    bool IsNote = false)
{
    /// <summary>When the store recorded the row; set by the store on read, ignored on write.</summary>
    public DateTimeOffset? SeenAt { get; init; }

    /// <summary>
    /// Written only where the store has no row yet: a poll's echo of a write still in flight must not replace the baseline
    /// the write's mapping recorded meanwhile (recovery after a crash), or a person's edit made before the first read-back
    /// would become the baseline and never reach the other systems (issue 9.11).
    /// </summary>
    public bool InsertOnly { get; init; }
}

/// <summary>
/// A marker MessageSync put into one conversation: a mirror's canonical id, or an edit note's change id
/// (<paramref name="IsNote"/>). <paramref name="ExternalId"/> is the copy's id, null while the write is in flight (its intent
/// is recorded, its answer not yet). A marker read back elsewhere, or on another message, is not ours (issue 9.5).
/// </summary>
public sealed record OwnWrite(Guid Marker, Guid CanonicalId, string? ExternalId, bool IsNote);

/// <summary>One copy of a message in one system and what was done to it already.</summary>
public sealed record CopyEntry(string ExternalId, bool IsNote, bool Redacted, bool Deleted);

/// <summary>An edit note written for one change; <paramref name="ExternalId"/> is null while its write is in flight.</summary>
public sealed record NoteCopy(Guid ChangeId, SystemId System, Guid CanonicalId, string? ExternalId)
{
    /// <summary>When the note's intent was first recorded: an earlier attempt's note cannot be older.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>Whether a system keeps our data-sync-id marker in the HTML it stores, and the copy of ours that showed it.</summary>
public sealed record MarkerKeeping(SystemId System, bool Keeps, string Evidence, DateTimeOffset ObservedAt);

/// <summary>One change found by the detector, ready to commit.</summary>
/// <param name="CanonicalId">The canonical message that changed (a new UUID v7 for <see cref="ChangeKind.Created"/>).</param>
/// <param name="ExternalId">The external id the change was observed on (an original or a mirror).</param>
/// <param name="Message">
/// The message as observed. For Created it is inserted whole; for Edited only its content (HTML, text, attachments) is
/// applied to the canonical copy; Redacted and Deleted need none (null when the message is gone from the system).
/// </param>
public sealed record DetectedChange(
    ChangeKind Kind,
    Guid CanonicalId,
    string ExternalId,
    DateTimeOffset OccurredAt,
    CanonicalMessage? Message);

/// <summary>Everything one poll of one conversation produced; committed in one transaction.</summary>
public sealed record ObservationCommit
{
    public required string LinkId { get; init; }
    public required SystemId System { get; init; }
    public IReadOnlyList<SnapshotEntry> Snapshots { get; init; } = [];
    public IReadOnlyList<DetectedChange> Changes { get; init; } = [];

    /// <summary>The cursor the next poll resumes from (null: from the start).</summary>
    public string? Cursor { get; init; }

    /// <summary>False for a full reconciliation that must not move the incremental cursor; the poll time is recorded either way.</summary>
    public bool UpdateCursor { get; init; } = true;

    /// <summary>The lease this poll runs under; the commit is refused (<see cref="LeaseLostException"/>) when another process took it over.</summary>
    public LeaseFence? Fence { get; init; }
}

/// <summary>What a commit wrote: the outbox rows (to publish) and how many detected changes turned out to be echoes or no-ops.</summary>
public sealed record ObservationCommitResult(IReadOnlyList<MessageChanged> Written, int Suppressed);

/// <summary>One unpublished (or published) outbox row.</summary>
public sealed record OutboxEntry(long Sequence, MessageChanged Message, DateTimeOffset CreatedAt, DateTimeOffset? PublishedAt);

/// <summary>Where a canonical message lives in a target system.</summary>
/// <param name="IsOrigin">True when the target is the system the message was first written in (the "mapping" is its origin id).</param>
public sealed record MappingEntry(
    Guid CanonicalId,
    SystemId System,
    string ExternalId,
    MessageKind TargetKind,
    DateTimeOffset CreatedAt,
    bool IsOrigin = false);

/// <summary>A remote write the consumer is about to make (DESIGN.md, "Idempotent apply").</summary>
public enum WriteAction
{
    Create,
    Edit,
    AppendNote,
    Redact,
    Delete,
}

/// <summary>Recorded before a remote call; <see cref="Marker"/> lets recovery find the write in the target after a crash.</summary>
public sealed record IntentEntry(Guid CanonicalId, SystemId System, WriteAction Action, string Marker, DateTimeOffset CreatedAt);

/// <summary>What became of a change that was not (or not yet) applied; shown by <c>status</c> until acknowledged or resolved.</summary>
public enum OutcomeKind
{
    /// <summary>The conversation cannot take messages now (e.g. helpdesk TICKET_CLOSED); replayable.</summary>
    Parked,

    /// <summary>A redaction the target cannot carry out; its copy still shows the content.</summary>
    UnpropagatedRedaction,

    /// <summary>A write failed for good (404, validation); replayable.</summary>
    Faulted,

    /// <summary>Deliberately not written (withheld by the visibility invariant, or the target lacks the capability).</summary>
    Skipped,

    /// <summary>
    /// A deletion not carried out because too much of the conversation vanished from one scan at once (a read gap looks
    /// like that); replaying it deletes the copies, acknowledging it keeps them.
    /// </summary>
    HeldDeletion,

    /// <summary>
    /// Recovery after a lost response could not tell whether the write took effect (the target keeps no marker to look for):
    /// an operator checks the target, then replays it (writes it) or acknowledges it (it is there).
    /// </summary>
    PossiblyWritten,
}

/// <summary>An outcome to record.</summary>
public sealed record NewOutcome(string LinkId, Guid? CanonicalId, SystemId Target, OutcomeKind Kind, string Reason, ChangeKind? Change = null);

/// <summary>A recorded outcome.</summary>
public sealed record OutcomeRecord(
    long Id,
    string LinkId,
    Guid? CanonicalId,
    SystemId Target,
    OutcomeKind Kind,
    ChangeKind? Change,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? ResolvedAt)
{
    /// <summary>Open outcomes are the ones <c>status</c> shows: neither acknowledged by an operator nor resolved by a later success.</summary>
    public bool IsOpen => AcknowledgedAt is null && ResolvedAt is null;
}

/// <summary>A link as stored by the <c>links</c> command.</summary>
public sealed record StoredLink(ConversationLink Link, string Source = "store");

/// <summary>The state of one link for <c>status</c>.</summary>
public sealed record LinkStatus(
    string LinkId,
    IReadOnlyDictionary<SystemId, int> MessagesPerSystem,
    int Mirrored,
    int UnpublishedOutbox,
    DateTimeOffset? OldestUnpublishedAt,
    IReadOnlyDictionary<OutcomeKind, int> OpenOutcomes,
    IReadOnlyDictionary<SystemId, DateTimeOffset> LastPoll);

public sealed record StoreStatus(IReadOnlyList<LinkStatus> Links);

/// <summary>A lease as stored: who holds it, its fencing token and how long it has left on the database's clock.</summary>
public sealed record LeaseRecord(string Name, string Owner, long Token, TimeSpan Remaining, DateTimeOffset AcquiredAt)
{
    public bool IsHeld => Remaining > TimeSpan.Zero;
}

/// <summary>The lease a commit is made under: refused unless <see cref="Owner"/> still holds <see cref="Name"/> with <see cref="Token"/>.</summary>
public sealed record LeaseFence(string Name, string Owner, long Token);

/// <summary>A commit was refused because another process took over the lease it was made under; nothing of it was written.</summary>
public sealed class LeaseLostException(string lease, long token)
    : Exception($"The lease '{lease}' (token {token}) was taken over by another process; this process's commit was refused and rolled back.")
{
    public string Lease { get; } = lease;
}

public enum BackfillState
{
    Pending,
    Done,
    Failed,
}

/// <summary>One (link, system) of a backfill request: walked yet or not, with what it found (or why it failed).</summary>
public sealed record BackfillProgress(
    long RequestId, string LinkId, SystemId System, BackfillState State, bool DryRun, long Pages = 0, long Messages = 0, long Changes = 0, string? Summary = null);

/// <summary>
/// What retention may remove (<see cref="IStateStore.PruneAsync"/>): changes published and applied by every endpoint that
/// must, created before <paramref name="Changes"/>; outcomes resolved or acknowledged before <paramref name="Outcomes"/>;
/// the text of canonical copies deleted everywhere before <paramref name="DeletedMessages"/>. At most
/// <paramref name="BatchSize"/> rows per transaction.
/// </summary>
public sealed record RetentionCutoffs(DateTimeOffset Changes, DateTimeOffset Outcomes, DateTimeOffset DeletedMessages, int BatchSize = 1000);

/// <summary>What one pass of retention removed: outbox rows, applied-change records, outcomes, canonical texts forgotten.</summary>
public sealed record PruneResult(long Outbox, long AppliedChanges, long Outcomes, long MessageTexts)
{
    public long Total => Outbox + AppliedChanges + Outcomes + MessageTexts;
}
