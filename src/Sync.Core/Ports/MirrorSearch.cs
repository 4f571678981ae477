using MessageSync.Core.Content;
using MessageSync.Core.State;

namespace MessageSync.Core.Ports;

/// <summary>What a conversation showed about the target keeping our <c>data-sync-id</c> marker in the HTML it stores.</summary>
public enum MarkerEvidence
{
    /// <summary>No copy of ours with a body was listed: the conversation cannot say.</summary>
    None,

    /// <summary>A copy of ours was listed with its marker intact.</summary>
    Kept,

    /// <summary>A copy of ours was listed with a body but without its marker: the target strips it.</summary>
    Lost,
}

/// <summary>
/// A listed message with no body that is no copy of ours: a redacted message, perhaps our copy redacted before we recorded it.
/// <see cref="CouldBeNote"/> and <see cref="CouldBeReply"/> say which of our writes it can be by its shape (an internal note
/// in our sync thread, or a customer-visible message), so a person's redacted reply is not taken for our note.
/// </summary>
public sealed record EmptiedMessage(string ExternalId, DateTimeOffset? CreatedAt, bool CouldBeNote = true, bool CouldBeReply = true);

/// <summary>
/// One message as a recovery search lists it: its id, its body as stored, when the target says it was created, and which of
/// our writes its shape allows it to be (<see cref="EmptiedMessage"/>).
/// </summary>
public sealed record ListedMessage(string ExternalId, string? Html, DateTimeOffset? CreatedAt, bool CouldBeNote = true, bool CouldBeReply = true);

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

    /// <summary>Certainly not there (as far as the conversation shows): the write did not take effect and may be made.</summary>
    public bool IsAbsent => ExternalId is null && UnknownReason is null;

    /// <summary>What the conversation's copies of ours showed about markers; the engine learns it once per system.</summary>
    public MarkerEvidence Evidence { get; init; }

    /// <summary>
    /// Listed messages without a body that are no copy of ours: a person may have redacted our copy before we recorded it, and
    /// a redacted copy carries no marker. The engine rules them out by their creation time against the intent's.
    /// </summary>
    public IReadOnlyList<EmptiedMessage> Emptied { get; init; } = [];

    /// <summary>True when the search could not tell only because nothing in the conversation shows whether the target keeps markers.</summary>
    public bool LacksEvidence { get; private init; }

    public static MirrorSearch Absent { get; } = new(null, null);

    public static MirrorSearch Found(string externalId) => new(externalId, null);

    public static MirrorSearch Unknown(string reason) => new(null, reason);

    /// <summary>
    /// The search where the marker lives in the body (Pylon, helpdesk): the message carrying <paramref name="marker"/> that is
    /// no other copy of ours is the copy. Its absence proves nothing unless the target is seen to keep markers: one of our own
    /// copies listed with its marker intact (<see cref="Evidence"/>; the engine also remembers it per system, so the first copy
    /// into a conversation can be settled). A target that stored our copies without their markers (a product that strips
    /// unknown attributes or empty elements), or a conversation with no copy of ours yet, cannot tell on its own.
    /// </summary>
    /// <param name="listed">The conversation as the target lists it.</param>
    /// <param name="ownWrites">Every write of ours recorded in this conversation (<see cref="IStateStore.GetOwnWritesAsync"/>).</param>
    public static MirrorSearch ByMarker(Guid marker, IEnumerable<ListedMessage> listed, IReadOnlyCollection<OwnWrite> ownWrites, string systemName)
    {
        ArgumentNullException.ThrowIfNull(listed);
        ArgumentNullException.ThrowIfNull(ownWrites);
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
        var emptied = new List<EmptiedMessage>();
        foreach (var message in listed)
        {
            var found = SyncMarker.Find(message.Html);
            if (others.TryGetValue(message.ExternalId, out var theirs))
            {
                // Evidence of what the target does with markers; a copy emptied by a redaction carries nothing either way.
                kept |= found == theirs;
                lost |= found is null && !string.IsNullOrWhiteSpace(message.Html);
                continue; // our copy of another message, whatever marker a person pasted into it
            }

            if (found == marker)
            {
                return Found(message.ExternalId);
            }

            if (string.IsNullOrWhiteSpace(message.Html))
            {
                emptied.Add(new EmptiedMessage(message.ExternalId, message.CreatedAt, message.CouldBeNote, message.CouldBeReply));
            }
        }

        var evidence = lost ? MarkerEvidence.Lost : kept ? MarkerEvidence.Kept : MarkerEvidence.None;
        if (evidence == MarkerEvidence.Kept)
        {
            return Absent with { Evidence = evidence, Emptied = emptied };
        }

        return Unknown(lost
            ? $"{systemName} stored copies of ours without their data-sync-id marker, so its absence proves nothing"
            : $"no copy of ours in this {systemName} conversation shows whether {systemName} keeps the data-sync-id marker")
            with { Evidence = evidence, Emptied = emptied, LacksEvidence = !lost };
    }
}
