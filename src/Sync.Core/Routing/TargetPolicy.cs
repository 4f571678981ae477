namespace MessageSync.Core.Routing;

/// <summary>What a deletion does in a target (DESIGN.md, "Redaction and deletion").</summary>
public enum DeletionPolicy
{
    /// <summary>Delete the copy (soft where the target can and <see cref="TargetPolicy.PreferSoftDelete"/> says so, else hard).</summary>
    Delete,

    /// <summary>Redact the copy: the content goes, the message stays (where a visible trace of the thread matters).</summary>
    Redact,

    /// <summary>Leave the copy as it is.</summary>
    Ignore,
}

/// <summary>What an edit does in a target that cannot edit.</summary>
public enum EditPolicy
{
    /// <summary>Nothing: the copy keeps the first version.</summary>
    Ignore,

    /// <summary>An internal note quoting the new version, where the target takes internal notes.</summary>
    AppendNote,
}

/// <summary>Per-target routing policy from configuration (<c>Sync:Targets:{System}</c>).</summary>
public sealed record TargetPolicy
{
    /// <summary>Default <see cref="DeletionPolicy.Delete"/>: a deletion anywhere reaches every copy that can take it.</summary>
    public DeletionPolicy Deletion { get; init; } = DeletionPolicy.Delete;

    /// <summary>Default <see cref="EditPolicy.AppendNote"/>: an agent reading a copy learns that the original changed.</summary>
    public EditPolicy Edits { get; init; } = EditPolicy.AppendNote;

    /// <summary>Default true: a soft delete can be undone by an operator; a hard delete is used only where soft is impossible.</summary>
    public bool PreferSoftDelete { get; init; } = true;

    public static TargetPolicy Default { get; } = new();
}
