namespace MessageSync.Core.Model;

/// <summary>How a target can carry attachments.</summary>
public enum AttachmentSupport
{
    None,
    Links,
    Files,
}

/// <summary>What a target system can do; the router consults it and records an outcome for anything it cannot.</summary>
public sealed record SystemCapabilities
{
    public required IReadOnlySet<MessageKind> CreatableKinds { get; init; }
    public bool CanEdit { get; init; }
    public bool CanRedact { get; init; }
    public bool CanDelete { get; init; }
    public bool CanSoftDelete { get; init; }
    public AttachmentSupport Attachments { get; init; }
    public bool CanPostAsAuthor { get; init; }
}
