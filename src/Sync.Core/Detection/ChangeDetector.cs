using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;

namespace MessageSync.Core.Detection;

/// <summary>What one page (or a full scan) changed, ready for <see cref="IStateStore.CommitObservationAsync"/>.</summary>
public sealed record DetectionResult(IReadOnlyList<SnapshotEntry> Snapshots, IReadOnlyList<DetectedChange> Changes)
{
    public static DetectionResult Empty { get; } = new([], []);

    /// <summary>
    /// Known messages a full scan did not see. Not yet deletions: a list with a gap looks the same, so the poller confirms
    /// each (<see cref="ChangeDetector.Confirm"/>) before it becomes a Deleted change.
    /// </summary>
    public IReadOnlyList<SnapshotEntry> Vanished { get; init; } = [];

    /// <summary>The commit for this result, moving the cursor to <paramref name="cursor"/> unless <paramref name="updateCursor"/> is false.</summary>
    public ObservationCommit ToCommit(string linkId, SystemId system, string? cursor, bool updateCursor = true) => new()
    {
        LinkId = linkId,
        System = system,
        Snapshots = Snapshots,
        Changes = Changes,
        Cursor = cursor,
        UpdateCursor = updateCursor,
    };
}

/// <summary>
/// Diffs a page read from one system against the stored snapshot (DESIGN.md, "Detection by diff"). Pure: no I/O, and the
/// only clock is the <see cref="TimeProvider"/> that dates new canonical ids (UUID v7, so ids sort by discovery time).
/// </summary>
/// <remarks>
/// Rules, in order, for each observed message:
/// <list type="bullet">
/// <item>Unknown id carrying a <see cref="ObservedMessage.SyncId"/> that is one of our own writes into this conversation
/// (<see cref="OwnWrite"/>: same copy, or a write still in flight): an echo; its snapshot row is recorded under that canonical
/// id (as a note row for an edit note), and no change is raised. Any other marker is ignored: the message is new.</item>
/// <item>Unknown id, already deleted or redacted: nothing (there is no content to copy; it never existed for us).</item>
/// <item>Unknown id otherwise: Created, with a new canonical id.</item>
/// <item>Known and deleted before: nothing; deletion is final (an "undelete" does not resurrect copies).</item>
/// <item>Now deleted: Deleted. Newly redacted, or its content emptied: Redacted. Known redacted: nothing more (redaction is final).</item>
/// <item>An edit note's row (<see cref="SnapshotEntry.IsNote"/>): deleted or reworded, only the row changes (the message it
/// quotes is untouched); redacted, the message is Redacted, as a redaction anywhere is.</item>
/// <item>Snapshot hash a baseline of our own write (<see cref="MessageHash.BaselineOf"/>) and the same words read back: the
/// observed hash is adopted, no change; other words are a person's edit of the fresh copy and go on to the rules below.</item>
/// <item>Snapshot hash null (a baseline we wrote ourselves, content unknown): the observed hash is adopted, no change.</item>
/// <item>Hash differs: Edited.</item>
/// </list>
/// With <c>fullScan</c>, a snapshot row that is not deleted and absent from the observed set is reported as vanished,
/// and becomes Deleted only once the caller has confirmed it (<see cref="Confirm"/>).
/// A change observed on a mirror is a change of the mirror's canonical message (the snapshot row carries it).
/// </remarks>
public sealed class ChangeDetector(TimeProvider time)
{
    public ChangeDetector()
        : this(TimeProvider.System)
    {
    }

    public DetectionResult Detect(
        ConversationLink link,
        SystemId system,
        IReadOnlyList<ObservedMessage> page,
        IReadOnlyDictionary<string, SnapshotEntry> snapshot,
        bool fullScan,
        IReadOnlyDictionary<Guid, OwnWrite>? ownWrites = null)
    {
        // Later rows of the same page see the earlier ones (pages can overlap when a cursor resumes).
        var current = new Dictionary<string, SnapshotEntry>(StringComparer.Ordinal);
        var upserts = new Dictionary<string, SnapshotEntry>(StringComparer.Ordinal);
        var changes = new List<DetectedChange>();
        var observed = new HashSet<string>(StringComparer.Ordinal);

        SnapshotEntry? Known(string id) =>
            current.TryGetValue(id, out var fresh) ? fresh : snapshot.TryGetValue(id, out var stored) ? stored : null;

        void Record(SnapshotEntry entry)
        {
            current[entry.ExternalId] = entry;
            upserts[entry.ExternalId] = entry;
        }

        foreach (var message in page)
        {
            observed.Add(message.ExternalId);
            var hash = MessageHash.Of(message.BodyHtml, message.Attachments);
            var known = Known(message.ExternalId);

            if (known is null)
            {
                // Our marker on this very copy (or on a copy whose write is still in flight): an echo. A marker we did not
                // put on this message (a person quoting a mirror's HTML, a forged attribute) hides nothing: a new message.
                if (message.SyncId is { } marker && ownWrites is not null && ownWrites.TryGetValue(marker, out var own)
                    && (own.ExternalId is null || own.ExternalId == message.ExternalId))
                {
                    Record(new SnapshotEntry(message.ExternalId, own.CanonicalId, hash, message.UpdatedAt, message.IsDeleted, message.IsRedacted, own.IsNote)
                    {
                        InsertOnly = own.ExternalId is null,
                    });
                    continue;
                }

                if (message.IsDeleted || message.IsRedacted)
                {
                    continue;
                }

                var newId = Guid.CreateVersion7(time.GetUtcNow());
                Record(new SnapshotEntry(message.ExternalId, newId, hash, message.UpdatedAt));
                changes.Add(new DetectedChange(ChangeKind.Created, newId, message.ExternalId, message.CreatedAt, ToCanonical(link, system, message, newId)));
                continue;
            }

            if (known.Deleted)
            {
                continue;
            }

            if (message.IsDeleted)
            {
                Record(known with { UpdatedStamp = message.UpdatedAt ?? known.UpdatedStamp, Deleted = true });
                if (known.IsNote)
                {
                    continue; // an edit note removed: the message it quotes lives on
                }

                changes.Add(new DetectedChange(
                    ChangeKind.Deleted, known.CanonicalId, message.ExternalId, message.DeletedAt ?? message.UpdatedAt ?? time.GetUtcNow(), null));
                continue;
            }

            if (known.Redacted)
            {
                continue;
            }

            if (MessageHash.IsBaseline(known.ContentHash) && MessageHash.MatchesBaseline(known.ContentHash!, message))
            {
                // Our own write read back for the first time, in the target's markup: that is the baseline from now on.
                Record(known with { ContentHash = hash, UpdatedStamp = message.UpdatedAt ?? known.UpdatedStamp });
                continue;
            }

            var emptied = known.ContentHash is not null && hash != known.ContentHash && MessageHash.IsEmpty(message.BodyText, message.Attachments);
            if (message.IsRedacted || emptied)
            {
                Record(known with { ContentHash = hash, UpdatedStamp = message.UpdatedAt ?? known.UpdatedStamp, Redacted = true });
                changes.Add(new DetectedChange(ChangeKind.Redacted, known.CanonicalId, message.ExternalId, message.UpdatedAt ?? time.GetUtcNow(), null));
                continue;
            }

            if (known.ContentHash is null)
            {
                Record(known with { ContentHash = hash, UpdatedStamp = message.UpdatedAt ?? known.UpdatedStamp });
                continue;
            }

            if (hash != known.ContentHash)
            {
                Record(known with { ContentHash = hash, UpdatedStamp = message.UpdatedAt ?? known.UpdatedStamp });
                if (known.IsNote)
                {
                    continue; // an edit note reworded by a person is not a new version of the message
                }

                changes.Add(new DetectedChange(
                    ChangeKind.Edited, known.CanonicalId, message.ExternalId, message.UpdatedAt ?? time.GetUtcNow(),
                    ToCanonical(link, system, message, known.CanonicalId)));
            }
        }

        // Ordinal order keeps the result deterministic whatever the dictionary's enumeration order.
        var vanished = fullScan
            ? snapshot.Values.Where(e => !e.Deleted && !observed.Contains(e.ExternalId)).OrderBy(e => e.ExternalId, StringComparer.Ordinal).ToList()
            : [];
        return upserts.Count == 0 && changes.Count == 0 && vanished.Count == 0
            ? DetectionResult.Empty
            : new DetectionResult(upserts.Values.ToList(), changes) { Vanished = vanished };
    }

    /// <summary>
    /// <paramref name="result"/> with the vanished messages in <paramref name="gone"/> deleted (snapshot row marked, Deleted
    /// change of its canonical message); the other vanished ones are left as they were and appear again next scan.
    /// </summary>
    public DetectionResult Confirm(DetectionResult result, IReadOnlyCollection<SnapshotEntry> gone)
    {
        if (gone.Count == 0)
        {
            return result with { Vanished = [] };
        }

        var now = time.GetUtcNow();
        return new DetectionResult(
            [.. result.Snapshots, .. gone.Select(e => e with { Deleted = true })],
            [.. result.Changes, .. gone.Where(e => !e.IsNote).Select(e => new DetectedChange(ChangeKind.Deleted, e.CanonicalId, e.ExternalId, now, null))]);
    }

    /// <summary>The observed message in canonical terms. For a change seen on a mirror only its content is used by the store.</summary>
    public static CanonicalMessage ToCanonical(ConversationLink link, SystemId system, ObservedMessage message, Guid canonicalId) => new()
    {
        Id = canonicalId,
        LinkId = link.Id,
        Origin = new MessageOrigin(system, message.ExternalId),
        Author = message.Author,
        Kind = message.Kind,
        BodyHtml = message.BodyHtml,
        BodyText = message.BodyText,
        Attachments = message.Attachments,
        CreatedAt = message.CreatedAt,
        EditedAt = message.UpdatedAt is { } updated && updated > message.CreatedAt ? updated : null,
    };
}
