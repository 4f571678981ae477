using MessageSync.Core.Content;
using MessageSync.Core.State;

namespace MessageSync.Core.Ports;

/// <summary>
/// What recovery after a lost answer found in the target (issue 9.6): the copy, by an exact key (a caller-chosen id, or our
/// own marker on a message that is no other copy of ours); certainly no copy; or no way to tell, because the target may
/// have dropped the marker. Never a guess by content: an unrelated "Thanks!" must not be taken for our copy.
/// </summary>
public sealed record MirrorSearch
{
    private MirrorSearch(string? externalId, string? unknownReason)
    {
        ExternalId = externalId;
        UnknownReason = unknownReason;
    }

    /// <summary>The copy's id in the target, when found.</summary>
    public string? ExternalId { get; }

    /// <summary>Why the search cannot tell whether the write took effect; null when it can.</summary>
    public string? UnknownReason { get; }

    /// <summary>Certainly not there: the write did not take effect and may be made.</summary>
    public bool IsAbsent => ExternalId is null && UnknownReason is null;

    public static MirrorSearch Absent { get; } = new(null, null);

    public static MirrorSearch Found(string externalId) => new(externalId, null);

    public static MirrorSearch Unknown(string reason) => new(null, reason);

    /// <summary>
    /// The search where the marker lives in the body (Pylon, helpdesk): the message carrying <paramref name="marker"/> that is
    /// no other copy of ours is the copy. Its absence proves nothing unless the target is seen to keep markers: one of our own
    /// copies listed with its marker intact. A target that stored our copies without their markers (a product that strips
    /// unknown attributes or empty elements), or a conversation with no copy of ours yet, cannot tell.
    /// </summary>
    /// <param name="listed">The conversation as the target lists it: each message's id and body as stored.</param>
    /// <param name="ownWrites">Every write of ours recorded in this conversation (<see cref="IStateStore.GetOwnWritesAsync"/>).</param>
    public static MirrorSearch ByMarker(Guid marker, IEnumerable<(string Id, string? Html)> listed, IReadOnlyCollection<OwnWrite> ownWrites, string systemName)
    {
        var others = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var own in ownWrites)
        {
            if (own.ExternalId is { } id && own.Marker != marker)
            {
                others[id] = own.Marker;
            }
        }

        var kept = false;
        var lost = false;
        foreach (var (id, html) in listed)
        {
            var found = SyncMarker.Find(html);
            if (others.TryGetValue(id, out var theirs))
            {
                // Evidence of what the target does with markers; a copy emptied by a redaction carries nothing either way.
                kept |= found == theirs;
                lost |= found is null && !string.IsNullOrWhiteSpace(html);
                continue; // our copy of another message, whatever marker a person pasted into it
            }

            if (found == marker)
            {
                return Found(id);
            }
        }

        if (kept)
        {
            return Absent;
        }

        return Unknown(lost
            ? $"{systemName} stored copies of ours without their data-sync-id marker, so its absence proves nothing"
            : $"no copy of ours in this {systemName} conversation shows whether {systemName} keeps the data-sync-id marker");
    }
}
