namespace MessageSync.Core.Model;

/// <summary>The three systems MessageSync bridges.</summary>
public enum SystemId
{
    Pylon,
    Helpdesk,
    Cord,
}

/// <summary>What a message is, independent of the system it was read from (DESIGN.md, "The canonical model").</summary>
public enum MessageKind
{
    CustomerMessage,
    AgentReply,
    InternalNote,
    SystemEvent,
}

/// <summary>What happened to a canonical message.</summary>
public enum ChangeKind
{
    Created,
    Edited,
    Redacted,
    Deleted,
}

/// <summary>Who wrote a message. Per-system ids are known only where the source system gave them.</summary>
public sealed record Author(string DisplayName, string? Email = null, string? ExternalId = null, bool IsCustomer = false)
{
    public static Author Unknown { get; } = new("Unknown");
}

/// <summary>An attachment travels as a link: none of the three APIs takes a file upload on the message endpoints.</summary>
public sealed record Attachment(string Name, string Url, string? MimeType = null, long? Size = null);

/// <summary>Where a canonical message was first written.</summary>
public sealed record MessageOrigin(SystemId System, string ExternalId);

/// <summary>
/// What every message has, wherever it is seen: what kind it is, who wrote it, its body (sanitised HTML and its plain text),
/// its attachments and when it was written and deleted. <see cref="CanonicalMessage"/> (the engine's) and
/// <c>Ports.ObservedMessage</c> (an adapter's read) add what each needs.
/// </summary>
public abstract record MessageContent
{
    public required MessageKind Kind { get; init; }
    public required Author Author { get; init; }
    public required string BodyHtml { get; init; }
    public required string BodyText { get; init; }
    public IReadOnlyList<Attachment> Attachments { get; init; } = [];
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DeletedAt { get; init; }
}

/// <summary>
/// One message of a linked conversation, as the engine carries it between systems.
/// <see cref="MessageContent.BodyHtml"/> is always sanitised HTML (see <c>Content.HtmlSanitizer</c>).
/// </summary>
public sealed record CanonicalMessage : MessageContent
{
    public required Guid Id { get; init; }
    public required string LinkId { get; init; }
    public required MessageOrigin Origin { get; init; }
    public DateTimeOffset? EditedAt { get; init; }
    public DateTimeOffset? RedactedAt { get; init; }
}
