using MessageSync.Core.Detection;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using Microsoft.Extensions.Logging;

namespace MessageSync.Core.Engine;

/// <summary>What one poll of one conversation found.</summary>
public sealed record PollResult(int Pages, int Messages, int Changes, int Suppressed, bool FullScan);

/// <summary>
/// Reads one conversation of one system and commits what changed (DESIGN.md, "Data flow"): page, diff against the
/// snapshot, then snapshot + canonical rows + outbox + cursor in one transaction. The cursor is saved only with its
/// page's changes, so a crash re-reads a page and never skips one.
/// </summary>
public sealed partial class ConversationPoller(
    IStateStore store, IEnumerable<IMessageSystem> systems, ChangeDetector detector, OutboxSignal signal, MarkerKnowledge markers,
    SyncMetrics metrics, ILogger<ConversationPoller> logger, IDeletionGuardSettings? deletionGuard = null)
{
    private readonly Dictionary<SystemId, IMessageSystem> _systems = systems.ToDictionary(s => s.System);

    public bool Supports(SystemId system) => _systems.ContainsKey(system);

    /// <summary>
    /// Polls <paramref name="system"/>'s side of <paramref name="link"/>. A full scan (or a first poll) reads every page and
    /// also finds deletions no cursor shows; otherwise the poll resumes at the saved cursor.
    /// </summary>
    /// <param name="fence">The lease the poll runs under (several processes): its commits are refused once another process took it over.</param>
    public async Task<PollResult> PollAsync(ConversationLink link, SystemId system, bool fullScan, CancellationToken cancellationToken, LeaseFence? fence = null)
    {
        if (!_systems.TryGetValue(system, out var adapter))
        {
            throw new InvalidOperationException($"No adapter is registered for {system}.");
        }

        if (link.ConversationId(system) is null)
        {
            return new PollResult(0, 0, 0, 0, fullScan);
        }

        using var activity = SyncActivities.StartPoll(link.Id, system, fullScan);
        var cursor = fullScan ? null : await store.GetCursorAsync(link.Id, system, cancellationToken);

        // A full scan diffs the whole set, so it needs every row; a resumed poll reads each page's rows as it goes (issue 13:
        // a poll of a 10,000-message conversation that finds one new message reads a page of rows, not 10,000).
        var snapshot = cursor is null
            ? new Dictionary<string, SnapshotEntry>(await store.GetSnapshotAsync(link.Id, system, cancellationToken), StringComparer.Ordinal)
            : new Dictionary<string, SnapshotEntry>(StringComparer.Ordinal);
        metrics.Polled(system);

        var result = cursor is null
            ? await ScanAllAsync(adapter, link, snapshot, fence, cancellationToken)
            : await ResumeAsync(adapter, link, snapshot, cursor, fence, cancellationToken);
        if (result.Changes > 0)
        {
            metrics.Detected(system, result.Changes);
            LogChanges(logger, result.Changes, link.Id, system, result.Suppressed);
        }

        return result;
    }

    /// <summary>
    /// A full scan that writes nothing (<c>backfill --dry-run</c>): how many changes of each kind a real one would commit,
    /// and so send to the link's other systems.
    /// </summary>
    public async Task<(PollResult Result, IReadOnlyDictionary<ChangeKind, int> WouldWrite)> PreviewAsync(
        ConversationLink link, SystemId system, CancellationToken cancellationToken)
    {
        var adapter = _systems.GetValueOrDefault(system) ?? throw new InvalidOperationException($"No adapter is registered for {system}.");
        var snapshot = await store.GetSnapshotAsync(link.Id, system, cancellationToken);
        var (pages, all, _) = await ReadAllAsync(adapter, link, cancellationToken);
        var detected = detector.Detect(link, system, all, snapshot, fullScan: true, await OwnWritesAsync(link, system, all, snapshot, cancellationToken));

        // A dry run confirms nothing: every vanished message counts as a deletion it might send (an upper bound).
        detected = detector.Confirm(detected, detected.Vanished);
        var counts = detected.Changes.GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => g.Count());
        return (new PollResult(pages, all.Count, detected.Changes.Count, 0, FullScan: true), counts);
    }

    private static async Task<(int Pages, List<ObservedMessage> Messages, string? LastCursor)> ReadAllAsync(
        IMessageSystem adapter, ConversationLink link, CancellationToken cancellationToken)
    {
        var all = new List<ObservedMessage>();
        string? lastPageCursor = null;
        var pages = 0;
        await foreach (var (cursor, page) in adapter.ReadPagesAsync(link, from: null, cancellationToken))
        {
            pages++;
            all.AddRange(page.Messages);
            lastPageCursor = cursor;
        }

        return (pages, all, lastPageCursor);
    }

    private async Task<PollResult> ScanAllAsync(
        IMessageSystem adapter, ConversationLink link, Dictionary<string, SnapshotEntry> snapshot, LeaseFence? fence, CancellationToken cancellationToken)
    {
        // Every page first, then one diff: only the whole set shows which known messages are gone.
        var (pages, all, lastPageCursor) = await ReadAllAsync(adapter, link, cancellationToken);
        await markers.ObserveAsync(adapter.System, link.Id, all, snapshot, cancellationToken);
        var detected = detector.Detect(link, adapter.System, all, snapshot, fullScan: true, await OwnWritesAsync(link, adapter.System, all, snapshot, cancellationToken));
        if (detected.Vanished.Count > 0)
        {
            detected = await ConfirmVanishedAsync(adapter, link, snapshot, detected, cancellationToken);
        }

        var committed = await store.CommitObservationAsync(detected.ToCommit(link.Id, adapter.System, lastPageCursor) with { Fence = fence }, cancellationToken);
        Signal(committed);
        return new PollResult(pages, all.Count, committed.Written.Count, committed.Suppressed, FullScan: true);
    }

    private async Task<PollResult> ResumeAsync(
        IMessageSystem adapter, ConversationLink link, Dictionary<string, SnapshotEntry> snapshot, string cursor, LeaseFence? fence,
        CancellationToken cancellationToken)
    {
        int pages = 0, messages = 0, written = 0, suppressed = 0;
        await foreach (var (fetchedWith, page) in adapter.ReadPagesAsync(link, cursor, cancellationToken))
        {
            pages++;
            messages += page.Messages.Count;
            var unknown = page.Messages.Select(m => m.ExternalId).Where(id => !snapshot.ContainsKey(id)).ToList();
            foreach (var (id, entry) in await store.GetSnapshotAsync(link.Id, adapter.System, unknown, cancellationToken))
            {
                snapshot[id] = entry;
            }

            await markers.ObserveAsync(adapter.System, link.Id, page.Messages, snapshot, cancellationToken);

            // On the last page the cursor stays where it is: the next poll re-reads that page to find what was added to it.
            var detected = detector.Detect(
                link, adapter.System, page.Messages, snapshot, fullScan: false, await OwnWritesAsync(link, adapter.System, page.Messages, snapshot, cancellationToken));
            var next = page.HasNextPage(fetchedWith) ? page.NextCursor : fetchedWith;
            var committed = await store.CommitObservationAsync(detected.ToCommit(link.Id, adapter.System, next) with { Fence = fence }, cancellationToken);
            Signal(committed);
            written += committed.Written.Count;
            suppressed += committed.Suppressed;
            foreach (var entry in detected.Snapshots)
            {
                snapshot[entry.ExternalId] = entry;
            }
        }

        return new PollResult(pages, messages, written, suppressed, FullScan: false);
    }

    /// <summary>
    /// The markers MessageSync put into this conversation, loaded only when what was read carries a marker on a message the
    /// snapshot does not know yet. Loaded after the read on purpose: a copy visible in that read was written after its intent
    /// was recorded, and the intent is only ever replaced by the mapping in one transaction, so the read's own writes are all
    /// in the answer.
    /// </summary>
    private async Task<IReadOnlyDictionary<Guid, OwnWrite>?> OwnWritesAsync(
        ConversationLink link, SystemId system, IReadOnlyList<ObservedMessage> read, IReadOnlyDictionary<string, SnapshotEntry> snapshot, CancellationToken cancellationToken)
    {
        if (!read.Any(m => m.SyncId is not null && !snapshot.ContainsKey(m.ExternalId)))
        {
            return null;
        }

        var own = new Dictionary<Guid, OwnWrite>();
        foreach (var write in await store.GetOwnWritesAsync(link.Id, system, cancellationToken))
        {
            own.TryAdd(write.Marker, write);
        }

        return own;
    }

    /// <summary>
    /// Known messages the scan did not see become deletions only when confirmed gone: by a direct read (404) where the API
    /// has one, else by a second read of the whole conversation that misses them too. A scan in which too much of the
    /// conversation vanished at once deletes nothing: the deletions are held and reported (<see cref="DeletionGuard"/>).
    /// </summary>
    private async Task<DetectionResult> ConfirmVanishedAsync(
        IMessageSystem adapter, ConversationLink link, Dictionary<string, SnapshotEntry> snapshot, DetectionResult detected, CancellationToken cancellationToken)
    {
        var system = adapter.System;
        var guard = deletionGuard?.Current ?? DeletionGuard.Default;
        var known = snapshot.Values.Count(e => !e.Deleted);

        // What is held already stays held until an operator replays (deletes) or acknowledges (keeps) it.
        var held = (await store.ListOutcomesAsync(includeResolved: false, cancellationToken))
            .Where(o => o.Kind == OutcomeKind.HeldDeletion && o.LinkId == link.Id && o.Target == system)
            .Select(o => o.CanonicalId)
            .ToHashSet();
        var vanished = detected.Vanished.Where(e => !held.Contains(e.CanonicalId)).ToList();
        if (guard.Holds(vanished.Count, known))
        {
            await HoldAsync(link, system, vanished, known, guard, cancellationToken);
            return detector.Confirm(detected, []);
        }

        var gone = new List<SnapshotEntry>();
        HashSet<string>? secondRead = null;
        foreach (var entry in vanished)
        {
            var presence = await adapter.ProbeAsync(link, entry.ExternalId, cancellationToken);
            if (presence == MessagePresence.Unknown)
            {
                secondRead ??= (await ReadAllAsync(adapter, link, cancellationToken)).Messages.Select(m => m.ExternalId).ToHashSet(StringComparer.Ordinal);
                presence = secondRead.Contains(entry.ExternalId) ? MessagePresence.Present : MessagePresence.Gone;
            }

            if (presence == MessagePresence.Gone)
            {
                gone.Add(entry);
            }
            else
            {
                LogReadGap(logger, entry.ExternalId, link.Id, system);
            }
        }

        return detector.Confirm(detected, gone);
    }

    private async Task HoldAsync(
        ConversationLink link, SystemId system, List<SnapshotEntry> vanished, int known, DeletionGuard guard, CancellationToken cancellationToken)
    {
        var reason = $"held: {vanished.Count} of {known} messages of link {link.Id} vanished from {KindMapping.DisplayName(system)} in one full scan "
            + $"(more than {guard.MassShare:P0}), which a read gap looks like too; replay to delete the copies, acknowledge to keep them";
        foreach (var entry in vanished)
        {
            await store.RecordOutcomeAsync(new NewOutcome(link.Id, entry.CanonicalId, system, OutcomeKind.HeldDeletion, reason, ChangeKind.Deleted), cancellationToken);
            metrics.Outcome(system, OutcomeKind.HeldDeletion);
        }

        LogHeld(logger, vanished.Count, known, link.Id, system);
    }

    private void Signal(ObservationCommitResult committed)
    {
        if (committed.Written.Count > 0)
        {
            signal.Notify();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deletions held: {Vanished} of {Known} messages of link {LinkId} vanished from {System} in one full scan; they wait for an operator (errors list; replay to delete, ack to keep)")]
    private static partial void LogHeld(ILogger logger, int vanished, int known, string linkId, SystemId system);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {ExternalId} of link {LinkId} was missing from a full scan of {System} but is still there: no deletion")]
    private static partial void LogReadGap(ILogger logger, string externalId, string linkId, SystemId system);

    [LoggerMessage(Level = LogLevel.Information, Message = "Detected {ChangeCount} change(s) in link {LinkId} on {System} ({Suppressed} echo(es) suppressed)")]
    private static partial void LogChanges(ILogger logger, int changeCount, string linkId, SystemId system, int suppressed);
}
