using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MessageSync.Adapters.Cord.Models;

// Wire DTOs of Cord's REST messages API (api-docs 003, contracts/cord-*): camelCase with Cord's "ID"/"URL" spellings.

/// <summary><c>CoreMessageData</c>.</summary>
public sealed record CordMessage
{
    [JsonPropertyName("id"), JsonRequired]
    public string Id { get; init; } = "";

    [JsonPropertyName("authorID")]
    public string? AuthorId { get; init; }

    /// <summary>Seed 003's name; later schemas say <see cref="GroupId"/>. Both are read.</summary>
    [JsonPropertyName("organizationID")]
    public string? OrganizationId { get; init; }

    [JsonPropertyName("groupID")]
    public string? GroupId { get; init; }

    [JsonPropertyName("threadID")]
    public string? ThreadId { get; init; }

    /// <summary><c>MessageContent</c>: an array of nodes, converted by <c>HtmlToCord</c> and <c>CordToHtml</c>.</summary>
    [JsonPropertyName("content")]
    public JsonArray? Content { get; init; }

    [JsonPropertyName("plaintext")]
    public string? Plaintext { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonPropertyName("createdTimestamp")]
    public DateTimeOffset? CreatedTimestamp { get; init; }

    [JsonPropertyName("deletedTimestamp")]
    public DateTimeOffset? DeletedTimestamp { get; init; }

    [JsonPropertyName("updatedTimestamp")]
    public DateTimeOffset? UpdatedTimestamp { get; init; }

    [JsonPropertyName("iconURL")]
    public string? IconUrl { get; init; }

    /// <summary><c>user_message</c> or <c>action_message</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary><c>EntityMetadata</c>: string, number or boolean values.</summary>
    [JsonPropertyName("metadata")]
    public Dictionary<string, JsonElement>? Metadata { get; init; }

    [JsonPropertyName("extraClassnames")]
    public string? ExtraClassnames { get; init; }

    [JsonPropertyName("attachments")]
    public IReadOnlyList<CordAttachment>? Attachments { get; init; }

    [JsonPropertyName("reactions")]
    public IReadOnlyList<CordReaction>? Reactions { get; init; }

    [JsonPropertyName("seenBy")]
    public IReadOnlyList<string>? SeenBy { get; init; }
}

/// <summary>An attachment: <c>file</c> (MessageFileAttachment), <c>annotation</c>, or a link preview.</summary>
public sealed record CordAttachment
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Signed; expires after 24 hours (api-docs 003).</summary>
    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonPropertyName("mimeType")]
    public string? MimeType { get; init; }

    [JsonPropertyName("size")]
    public long? Size { get; init; }

    [JsonPropertyName("uploadStatus")]
    public string? UploadStatus { get; init; }
}

public sealed record CordReaction
{
    [JsonPropertyName("reaction")]
    public string? Reaction { get; init; }

    [JsonPropertyName("userID")]
    public string? UserId { get; init; }

    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary><c>CreateMessageVariables</c> (the fields MessageSync sends).</summary>
public sealed record CordCreateMessageRequest
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("authorID")]
    public required string AuthorId { get; init; }

    [JsonPropertyName("content")]
    public required JsonArray Content { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonPropertyName("createThread")]
    public CordCreateThread? CreateThread { get; init; }

    [JsonPropertyName("subscribeToThread")]
    public bool? SubscribeToThread { get; init; }
}

/// <summary><c>createThread</c>: name, url and organizationID (seed 003's name for the group).</summary>
public sealed record CordCreateThread
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("url")]
    public required string Url { get; init; }

    [JsonPropertyName("organizationID")]
    public required string OrganizationId { get; init; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }
}

/// <summary><c>UpdateMessageVariables</c> (the fields MessageSync sends).</summary>
public sealed record CordUpdateMessageRequest
{
    [JsonPropertyName("content")]
    public JsonArray? Content { get; init; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>true soft-deletes (sets deletedTimestamp to now); false restores.</summary>
    [JsonPropertyName("deleted")]
    public bool? Deleted { get; init; }

    [JsonPropertyName("removeAttachments")]
    public IReadOnlyList<CordAttachmentRef>? RemoveAttachments { get; init; }
}

public sealed record CordAttachmentRef
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "file";

    [JsonPropertyName("id")]
    public required string Id { get; init; }
}

