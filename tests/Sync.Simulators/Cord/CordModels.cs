namespace MessageSync.Simulators;

/// <summary>A reaction on a Cord message.</summary>
public sealed record CordReaction(string Reaction, string UserId, DateTimeOffset Timestamp);

/// <summary>
/// An attachment on a Cord message: <c>file</c> (Name, MimeType, Size, Url set) or <c>link_preview</c>
/// (Url set; Cord generates one per link in the content unless skipLinkPreviews).
/// </summary>
public sealed record CordAttachment(string Type, string Id, string? Name, string Url, string? MimeType, long? Size);

/// <summary>A file uploaded to Cord, ready to be attached by id.</summary>
public sealed record CordFile(string Id, string Name, string MimeType, long Size, string Url);

/// <summary>A Cord message as stored. <see cref="ContentJson"/> is the raw <c>MessageContent</c> array; <see cref="HardDeleted"/>: removed for good by DELETE (no longer served).</summary>
public sealed record CordMessageState(
    string Id, string ThreadId, string AuthorId, string GroupId, string ContentJson, string Plaintext, string Type, string? Url,
    IReadOnlyDictionary<string, object> Metadata, string? ExtraClassnames, string? IconUrl,
    DateTimeOffset CreatedTimestamp, DateTimeOffset? UpdatedTimestamp, DateTimeOffset? DeletedTimestamp, bool HardDeleted,
    IReadOnlyList<CordReaction> Reactions, IReadOnlyList<CordAttachment> Attachments);

/// <summary>A Cord thread with every message ever written to it.</summary>
public sealed record CordThreadState(string Id, string Name, string Url, string GroupId, IReadOnlyDictionary<string, object> Metadata, IReadOnlyList<CordMessageState> Messages);

/// <summary>A webhook delivery attempt: the event body sent and the receiver's status (0 when unreachable).</summary>
public sealed record CordWebhookDelivery(string MessageId, string Body, int Status);
