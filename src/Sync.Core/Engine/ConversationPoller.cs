using MessageSync.Core.Detection;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
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
    IStateStore store, IEnumerable<IMessageSystem> systems, ChangeDetector detector, OutboxSignal signal, SyncMetrics metrics,
    ILogger<ConversationPoller> logger)
{
    private readonly Dictionary<SystemId, IMessageSystem> _systems = systems.ToDictionary(s => s.System);

    public bool Supports(SystemId system) => _systems.ContainsKey(system);

    /// <summary>
    /// Polls <paramref name="system"/>'s side of <paramref name="link"/>. A full scan (or a first poll) reads every page and
    /// also finds deletions no cursor shows; otherwise the poll resumes at the saved cursor.
    /// </summary>
    public async Task<PollResult> PollAsync(ConversationLink link, SystemId system, bool fullScan, CancellationToken cancellationToken)
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
        var snapshot = new Dictionary<string, SnapshotEntry>(await store.GetSnapshotAsync(link.Id, system, cancellationToken), StringComparer.Ordinal);
        var cursor = fullScan ? null : await store.GetCursorAsync(link.Id, system, cancellationToken);
        metrics.Polled(system);

        var result = cursor is null
            ? await ScanAllAsync(adapter, link, snapshot, cancellationToken)
            : await ResumeAsync(adapter, link, snapshot, cursor, cancellationToken);
        if (result.Changes > 0)
        {
            metrics.Detected(system, result.Changes);
            LogChanges(logger, result.Changes, link.Id, system, result.Suppressed);
        }

        return result;
    }

    private async Task<PollResult> ScanAllAsync(IMessageSystem adapter, ConversationLink link, Dictionary<string, SnapshotEntry> snapshot, CancellationToken cancellationToken)
    {
        // Every page first, then one diff: only the whole set shows which known messages are gone.
        var all = new List<ObservedMessage>();
        string? lastPageCursor = null;
        var pages = 0;
        await foreach (var (cursor, page) in adapter.ReadPagesAsync(link, from: null, cancellationToken))
        {
            pages++;
            all.AddRange(page.Messages);
            lastPageCursor = cursor;
        }

        var detected = detector.Detect(link, adapter.System, all, snapshot, fullScan: true);
        var committed = await store.CommitObservationAsync(detected.ToCommit(link.Id, adapter.System, lastPageCursor), cancellationToken);
        Signal(committed);
        return new PollResult(pages, all.Count, committed.Written.Count, committed.Suppressed, FullScan: true);
    }

    private async Task<PollResult> ResumeAsync(
        IMessageSystem adapter, ConversationLink link, Dictionary<string, SnapshotEntry> snapshot, string cursor, CancellationToken cancellationToken)
    {
        int pages = 0, messages = 0, written = 0, suppressed = 0;
        await foreach (var (fetchedWith, page) in adapter.ReadPagesAsync(link, cursor, cancellationToken))
        {
            pages++;
            messages += page.Messages.Count;

            // On the last page the cursor stays where it is: the next poll re-reads that page to find what was added to it.
            var detected = detector.Detect(link, adapter.System, page.Messages, snapshot, fullScan: false);
            var next = page.HasNextPage(fetchedWith) ? page.NextCursor : fetchedWith;
            var committed = await store.CommitObservationAsync(detected.ToCommit(link.Id, adapter.System, next), cancellationToken);
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

    private void Signal(ObservationCommitResult committed)
    {
        if (committed.Written.Count > 0)
        {
            signal.Notify();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Detected {ChangeCount} change(s) in link {LinkId} on {System} ({Suppressed} echo(es) suppressed)")]
    private static partial void LogChanges(ILogger logger, int changeCount, string linkId, SystemId system, int suppressed);
}
