using MessageSync.Core.Model;

namespace MessageSync.Core.Contracts;

/// <summary>
/// A canonical message changed (DESIGN.md, "Data flow"). Published by the outbox relay, consumed once per target system.
/// Deliberately small: the consumer reads the current canonical message from the state store by <see cref="CanonicalId"/>,
/// so a late or replayed change always writes the newest content and never resurrects redacted text.
/// <see cref="Sequence"/> increases monotonically per link; consumers apply one link's changes in that order.
/// <see cref="Target"/> is null for a change detected by a poll (every other system of the link applies it) and names one
/// system for a replay (<c>errors replay</c>) meant for that target alone. <see cref="TraceParent"/> is the W3C trace
/// context of the poll that detected the change (null when no trace was recorded): the relay publishes under it, so a
/// trace runs from poll to mirror written (<see cref="Engine.SyncActivities"/>).
/// </summary>
public sealed record MessageChanged(
    Guid ChangeId,
    string LinkId,
    long Sequence,
    ChangeKind Change,
    Guid CanonicalId,
    SystemId Source,
    DateTimeOffset OccurredAt,
    SystemId? Target = null)
{
    public string? TraceParent { get; init; }
}
