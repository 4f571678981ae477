using System.Text.Json.Serialization;

namespace MessageSync.Adapters.Helpdesk.Models;

// Wire DTOs of the helpdesk Messages API (api-docs 002): camelCase on the message object, snake_case in requests,
// exactly as documented.

/// <summary>The message object.</summary>
public sealed record HelpdeskMessage
{
    [JsonPropertyName("id"), JsonRequired]
    public string Id { get; init; } = "";

    [JsonPropertyName("ticketId")]
    public string? TicketId { get; init; }

    /// <summary><c>request</c>, <c>response</c> or <c>note</c>.</summary>
    [JsonPropertyName("type"), JsonRequired]
    public string Type { get; init; } = "";

    [JsonPropertyName("content")]
    public string? Content { get; init; }

    [JsonPropertyName("textContent")]
    public string? TextContent { get; init; }

    [JsonPropertyName("authorId")]
    public string? AuthorId { get; init; }

    [JsonPropertyName("attachments")]
    public IReadOnlyList<HelpdeskAttachmentRef>? Attachments { get; init; }

    [JsonPropertyName("ccs")]
    public IReadOnlyList<HelpdeskCc>? Ccs { get; init; }

    [JsonPropertyName("createdAt")]
    public DateTimeOffset? CreatedAt { get; init; }

    [JsonPropertyName("updatedAt")]
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>Attachment reference <c>{ token, name, size }</c>: an upload token, not a URL.</summary>
public sealed record HelpdeskAttachmentRef
{
    [JsonPropertyName("token")]
    public string? Token { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("size")]
    public long? Size { get; init; }
}

/// <summary>CC recipient <c>{ email, name }</c>.</summary>
public sealed record HelpdeskCc
{
    [JsonPropertyName("email")]
    public string? Email { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }
}

/// <summary>
/// The list envelope. api-docs 002 documents the query (<c>page</c>, <c>limit</c>, <c>sort_order</c>) but not the body;
/// assumed <c>{"data":[...],"page":P,"limit":L,"total":N,"has_more":bool}</c> as the simulator serves it.
/// </summary>
public sealed record HelpdeskMessageList
{
    [JsonPropertyName("data"), JsonRequired]
    public IReadOnlyList<HelpdeskMessage> Data { get; init; } = [];

    [JsonPropertyName("page")]
    public int? Page { get; init; }

    [JsonPropertyName("limit")]
    public int? Limit { get; init; }

    [JsonPropertyName("total")]
    public int? Total { get; init; }

    [JsonPropertyName("has_more")]
    public bool? HasMore { get; init; }
}

/// <summary>Create a message: request body of POST /helpdesk/api/messages.</summary>
public sealed record HelpdeskCreateMessageRequest
{
    [JsonPropertyName("ticket_id")]
    public required string TicketId { get; init; }

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("content")]
    public required string Content { get; init; }

    [JsonPropertyName("text_content")]
    public string? TextContent { get; init; }

    [JsonPropertyName("recipients")]
    public IReadOnlyList<HelpdeskCc>? Recipients { get; init; }

    [JsonPropertyName("ccs")]
    public IReadOnlyList<HelpdeskCc>? Ccs { get; init; }

    [JsonPropertyName("attachments")]
    public IReadOnlyList<HelpdeskAttachmentRef>? Attachments { get; init; }

    /// <summary>Always false for a mirror (DESIGN.md "The delivery rule"); the API's default is true.</summary>
    [JsonPropertyName("send_email")]
    public bool? SendEmail { get; init; }

    [JsonPropertyName("is_forward")]
    public bool? IsForward { get; init; }

    [JsonPropertyName("ticket_update")]
    public HelpdeskTicketUpdate? TicketUpdate { get; init; }
}

/// <summary><c>ticket_update</c>: status, priority, type.</summary>
public sealed record HelpdeskTicketUpdate
{
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("priority")]
    public string? Priority { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }
}

/// <summary>Message types (api-docs 002, "Message types").</summary>
public static class HelpdeskMessageTypes
{
    public const string Request = "request", Response = "response", Note = "note";
}
