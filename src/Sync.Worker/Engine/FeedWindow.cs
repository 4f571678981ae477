using MessageSync.Core.Ports;

namespace MessageSync.Worker.Engine;

/// <summary>
/// What one owner remembers between reads of a system's change feed, and which conversations each read should hurry.
/// <list type="bullet">
/// <item>The window: each read asks for activity after the previous complete read's time on the system's own clock (the
/// answer's <c>Date</c>), minus <c>Overlap</c>, so our clock never has to agree with the system's and a search index a
/// little behind its writes loses nothing. An incomplete read (page cap) does not move the window.</item>
/// <item>De-duplication: activity already seen (the same latest time of the same conversation, seen again inside the
/// overlap) is hinted once. The same time is hinted once more when it was fresh when first seen, by the first read made
/// after its tick (the system's times have a precision: a second message stamped within the same tick is not missed).</item>
/// <item>Fingerprints (Cord): a conversation whose fingerprint differs from the previous complete read's is hinted
/// whatever its times say: an edit, a soft or a hard deletion.</item>
/// </list>
/// Pure and in memory: a new owner starts with an empty window (its first read looks back <c>Overlap</c>) and polls every
/// conversation once anyway.
/// </summary>
public sealed class FeedWindow
{
    /// <summary>The coarsest precision assumed of a system's activity times.</summary>
    public static readonly TimeSpan TimePrecision = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _fingerprints = new(StringComparer.Ordinal);
    private DateTimeOffset? _serverTime;
    private bool _fingerprinted;

    /// <summary>Where the next read starts: the last complete read's time on the system's clock (else ours), minus the overlap.</summary>
    public DateTimeOffset Since(DateTimeOffset now, TimeSpan overlap) => (_serverTime ?? now) - overlap;

    /// <summary>
    /// Takes in one read made from <paramref name="since"/> at <paramref name="now"/> (our clock) and returns the linked
    /// conversations to poll now.
    /// </summary>
    public IReadOnlyList<string> Apply(FeedRead read, DateTimeOffset since, DateTimeOffset now, IReadOnlySet<string> conversations, bool fingerprints)
    {
        ArgumentNullException.ThrowIfNull(read);
        var readTime = read.ServerTime ?? now;
        var hints = new List<string>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var activity in read.Conversations.Where(a => conversations.Contains(a.ConversationId)))
        {
            var id = activity.ConversationId;
            listed.Add(id);
            var hint = false;
            if (activity.LatestActivity is { } at && at > since)
            {
                if (!_seen.TryGetValue(id, out var seen) || at > seen.At)
                {
                    hint = true;
                    _seen[id] = new Seen(at, readTime);
                }
                else if (at == seen.At && seen.ReadAt - at < TimePrecision && readTime - at >= TimePrecision)
                {
                    // Seen while fresh: another message may have been stamped with the same time after that read. Hinted
                    // once more by the first read made when the time's tick is surely over, never by every read inside it
                    // (a feed read every few hundred ms re-hinted each busy conversation several times a second).
                    hint = true;
                    _seen[id] = seen with { ReadAt = readTime };
                }
            }

            if (fingerprints && read.Complete && activity.Fingerprint is { } fingerprint)
            {
                hint |= _fingerprinted && _fingerprints.TryGetValue(id, out var before) && before != fingerprint;
                _fingerprints[id] = fingerprint;
            }

            if (hint)
            {
                hints.Add(id);
            }
        }

        if (fingerprints && read.Complete)
        {
            // A complete list that names a conversation no more: every message of it is gone (hard deletions).
            foreach (var id in conversations.Where(c => !listed.Contains(c)))
            {
                if (_fingerprinted && _fingerprints.TryGetValue(id, out var before) && before.Length > 0)
                {
                    hints.Add(id);
                }

                _fingerprints[id] = "";
            }

            _fingerprinted = true;
        }

        if (read.Complete)
        {
            _serverTime = readTime;
        }

        Forget(_seen, conversations);
        Forget(_fingerprints, conversations);
        return hints;
    }

    private static void Forget<T>(Dictionary<string, T> memory, IReadOnlySet<string> conversations)
    {
        if (memory.Count > conversations.Count)
        {
            foreach (var gone in memory.Keys.Where(k => !conversations.Contains(k)).ToList())
            {
                memory.Remove(gone);
            }
        }
    }

    private sealed record Seen(DateTimeOffset At, DateTimeOffset ReadAt);
}
