using System.Collections.Concurrent;
using MessageSync.Core.Model;
using MessageSync.Core.Routing;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using Microsoft.Extensions.Logging;

namespace MessageSync.Core.Engine;

/// <summary>
/// Whether a system keeps our <c>data-sync-id</c> marker, learned once per system and kept in the state store (issue 9.6).
/// Recovery after a lost answer trusts a marker's absence only where the target is known to keep markers. A conversation
/// with copies of ours shows it on its own; the first copy into a conversation has nothing beside it, so the answer comes
/// from what the system showed elsewhere: a copy of ours read back with its marker (the poller), another conversation's
/// copies listed (a search), or, when neither has been seen yet, a listing of another linked conversation holding copies
/// of ours. A system seen to drop markers is never trusted, and a conversation that shows stripped copies is not either.
/// </summary>
public sealed partial class MarkerKnowledge(IStateStore store, ILinkProvider links, ILogger<MarkerKnowledge> logger)
{
    /// <summary>How many other conversations a search may list to learn whether the system keeps markers.</summary>
    public const int ConversationsToAsk = 2;

    /// <summary>
    /// A message created this long before the write's intent was recorded cannot be its copy: the margin allowed between the
    /// target's clock and ours (servers kept in time by NTP are well within it). Wider would take every message a person
    /// redacted in a busy conversation for a possible copy; a target clock further behind than this could make a copy a
    /// person redacted before we recorded it look older than the write.
    /// </summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromSeconds(5);

    // What this process last recorded per system: spares the store a write on every poll that shows the same thing.
    private readonly ConcurrentDictionary<SystemId, bool> _recorded = new();

    /// <summary>
    /// A poll's page: a mirror of ours (its snapshot row names the canonical id its marker carries) read with the marker
    /// intact shows that the system keeps markers.
    /// </summary>
    public async Task ObserveAsync(
        SystemId system, string linkId, IReadOnlyList<ObservedMessage> read, IReadOnlyDictionary<string, SnapshotEntry> snapshot, CancellationToken cancellationToken)
    {
        if (_recorded.TryGetValue(system, out var keeps) && keeps)
        {
            return;
        }

        foreach (var message in read)
        {
            if (message.SyncId is { } marker && snapshot.TryGetValue(message.ExternalId, out var entry) && !entry.IsNote && entry.CanonicalId == marker)
            {
                await RecordAsync(system, keeps: true, $"copy {message.ExternalId} of message {marker} in link {linkId}, read back with its marker", cancellationToken);
                return;
            }
        }
    }

    /// <summary>
    /// Completes a recovery search with what the system is known to do: records the evidence the conversation showed,
    /// settles a copy a person redacted before we recorded it where it can, and answers "absent" for a conversation without
    /// evidence when the system is known to keep markers. Still <see cref="MirrorSearch.LacksEvidence"/> when nothing
    /// anywhere has shown it yet: the caller waits for evidence and retries before reporting the write as possibly written.
    /// </summary>
    /// <param name="write">The write in doubt: whose copy, when its intent was recorded, and which shapes it can have.</param>
    public async Task<MirrorSearch> SettleAsync(
        IMessageSystem adapter, ConversationLink link, MirrorSearch search, WriteInDoubt write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(write);
        if (search.ExternalId is not null)
        {
            return search;
        }

        var system = adapter.System;
        await RecordEvidenceAsync(system, search.Evidence, $"copies of ours listed in link {link.Id}", cancellationToken);
        if (search.Evidence == MarkerEvidence.Lost)
        {
            return search;
        }

        if (await EmptiedCopyAsync(link, system, search, write, cancellationToken) is { } emptied)
        {
            return emptied;
        }

        if (!search.LacksEvidence)
        {
            return search;
        }

        var known = await store.GetMarkerKeepingAsync(system, cancellationToken) ?? await AskElsewhereAsync(adapter, link, cancellationToken);
        if (known is null)
        {
            return search; // nothing anywhere has shown it yet
        }

        if (!known.Keeps)
        {
            return MirrorSearch.Unknown($"{KindMapping.DisplayName(system)} was seen to store copies of ours without their data-sync-id marker ({known.Evidence})");
        }

        LogTrusted(logger, system, link.Id, known.Evidence);
        return MirrorSearch.Absent;
    }

    /// <summary>
    /// A redacted message carries no marker: one that may be our copy, redacted by a person before we recorded it, rules out
    /// "absent" (writing again would put a second, live copy beside it). It is not ours when it is older than the write,
    /// has another shape (a reply where we wrote a note, a note outside our sync thread), or was read before as another
    /// message (a poll never records a message first seen redacted, so that row holds a person's message). A row naming
    /// the write's own message is our copy, read with its marker while the write was in flight.
    /// </summary>
    private async Task<MirrorSearch?> EmptiedCopyAsync(
        ConversationLink link, SystemId system, MirrorSearch search, WriteInDoubt write, CancellationToken cancellationToken)
    {
        var candidates = search.Emptied
            .Where(e => (write.Since is null || e.CreatedAt is null || e.CreatedAt >= write.Since - ClockMargin) && write.CouldBe(e))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var known = await store.GetSnapshotAsync(link.Id, system, candidates.Select(e => e.ExternalId).ToList(), cancellationToken);
        foreach (var candidate in candidates)
        {
            if (!known.TryGetValue(candidate.ExternalId, out var row))
            {
                return MirrorSearch.Unknown(
                    $"message {candidate.ExternalId}, emptied by a redaction since the write and never read with its content, carries no marker and may be the copy");
            }

            if (!write.IsNote && !row.IsNote && row.CanonicalId == write.CanonicalId)
            {
                return MirrorSearch.Found(candidate.ExternalId);
            }
        }

        return null;
    }

    /// <summary>Lists another linked conversation with copies of ours: what they show is what the system does.</summary>
    private async Task<MarkerKeeping?> AskElsewhereAsync(IMessageSystem adapter, ConversationLink link, CancellationToken cancellationToken)
    {
        var system = adapter.System;
        foreach (var otherId in await store.GetLinksWithCopiesAsync(system, link.Id, ConversationsToAsk, cancellationToken))
        {
            if (await links.FindAsync(otherId, cancellationToken) is not { } other || other.ConversationId(system) is null)
            {
                continue;
            }

            // A marker no write carries: the search finds nothing and reports only what our copies there show.
            var probe = await adapter.FindMirrorAsync(other, Guid.NewGuid(), await store.GetOwnWritesAsync(other.Id, system, cancellationToken), cancellationToken);
            if (probe.Evidence != MarkerEvidence.None)
            {
                await RecordEvidenceAsync(system, probe.Evidence, $"copies of ours listed in link {other.Id}", cancellationToken);
                return await store.GetMarkerKeepingAsync(system, cancellationToken);
            }
        }

        return null;
    }

    private Task RecordEvidenceAsync(SystemId system, MarkerEvidence evidence, string where, CancellationToken cancellationToken) => evidence switch
    {
        MarkerEvidence.Kept => RecordAsync(system, keeps: true, where + " with their marker", cancellationToken),
        MarkerEvidence.Lost => RecordAsync(system, keeps: false, where + " without their marker", cancellationToken),
        _ => Task.CompletedTask,
    };

    private async Task RecordAsync(SystemId system, bool keeps, string evidence, CancellationToken cancellationToken)
    {
        if (_recorded.TryGetValue(system, out var recorded) && recorded == keeps)
        {
            return;
        }

        // A process starting over a store that knows it already (a restart, another replica) neither writes nor logs it again.
        if (!_recorded.ContainsKey(system) && await store.GetMarkerKeepingAsync(system, cancellationToken) is { } stored && stored.Keeps == keeps)
        {
            _recorded[system] = keeps;
            return;
        }

        await store.RecordMarkerKeepingAsync(system, keeps, evidence, cancellationToken);
        _recorded[system] = keeps;
        if (keeps)
        {
            LogKeeps(logger, system, evidence);
        }
        else
        {
            LogDrops(logger, system, evidence);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{System} keeps the data-sync-id marker of our copies ({Evidence}): recovery after a lost answer can trust its absence")]
    private static partial void LogKeeps(ILogger logger, SystemId system, string evidence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{System} stores copies of ours without their data-sync-id marker ({Evidence}): a write whose answer is lost there becomes a possibly_written outcome for an operator")]
    private static partial void LogDrops(ILogger logger, SystemId system, string evidence);

    [LoggerMessage(Level = LogLevel.Information, Message = "No copy of ours in link {LinkId} on {System} yet: trusting the marker's absence, since that system keeps markers ({Evidence})")]
    private static partial void LogTrusted(ILogger logger, SystemId system, string linkId, string evidence);
}

/// <summary>
/// A write whose answer was lost, as recovery needs to know it: the message it copies, when its intent was recorded (its copy
/// is not older), whether it is an edit note, and which listed shapes it can have (a Pylon customer message without a known
/// contact becomes a labelled note).
/// </summary>
public sealed record WriteInDoubt(Guid CanonicalId, DateTimeOffset? Since, bool IsNote, bool AsNote, bool AsReply)
{
    public bool CouldBe(EmptiedMessage message) =>
        (AsNote && message.CouldBeNote) || (AsReply && message.CouldBeReply);
}
