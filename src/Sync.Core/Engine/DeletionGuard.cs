namespace MessageSync.Core.Engine;

/// <summary>
/// How a full scan treats known messages it no longer sees (issue 9.8): a list with a gap looks exactly like a deletion, so
/// each one is confirmed gone before its deletion goes out, and a scan in which too much of a conversation vanished at
/// once deletes nothing and holds those deletions for an operator.
/// </summary>
public sealed record DeletionGuard
{
    /// <summary>
    /// Default 0.5: a scan that misses more than this share of a conversation's known messages holds its deletions
    /// (outcome <c>held_deletion</c>, replay to delete, acknowledge to keep).
    /// </summary>
    public double MassShare { get; init; } = 0.5;

    /// <summary>Default 3: fewer vanished messages than this are never held (deleting the one message of a short thread is normal).</summary>
    public int MassMinimum { get; init; } = 3;

    public static DeletionGuard Default { get; } = new();

    /// <summary>True when <paramref name="vanished"/> of <paramref name="known"/> live messages is a mass vanishing to hold.</summary>
    public bool Holds(int vanished, int known) => vanished >= MassMinimum && vanished > MassShare * known;
}

/// <summary>The deletion guard in force (from configuration, current on every poll).</summary>
public interface IDeletionGuardSettings
{
    DeletionGuard Current { get; }
}
