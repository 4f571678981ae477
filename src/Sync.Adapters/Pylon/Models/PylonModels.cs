using System.Text.Json.Serialization;

namespace MessageSync.Adapters.Pylon.Models;

// Wire DTOs of Pylon's Messages endpoints, field for field as api-docs 001 / contracts/pylon-openapi.json name them.

/// <summary><c>Message</c> (api-docs 001). Every field is optional in the schema; without an id a message is unusable.</summary>
public sealed record PylonMessage
{
    [JsonPropertyName("id"), JsonRequired]
    public string Id { get; init; } = "";

    [JsonPropertyName("author")]
    public PylonMessageAuthor? Author { get; init; }

    [JsonPropertyName("email_info")]
    public PylonEmailMessageInfo? EmailInfo { get; init; }

    [JsonPropertyName("file_urls")]
    public IReadOnlyList<string>? FileUrls { get; init; }

    [JsonPropertyName("is_private")]
    public bool? IsPrivate { get; init; }

    [JsonPropertyName("message_html")]
    public string? MessageHtml { get; init; }

    [JsonPropertyName("source")]
    public string? Source { get; init; }

    /// <summary>Set only for internal notes (api-docs 001).</summary>
    [JsonPropertyName("thread_id")]
    public string? ThreadId { get; init; }

    [JsonPropertyName("timestamp")]
    public string? Timestamp { get; init; }
}

/// <summary><c>MessageAuthor</c>: a contact (the customer) or a user (an agent).</summary>
public sealed record PylonMessageAuthor
{
    [JsonPropertyName("avatar_url")]
    public string? AvatarUrl { get; init; }

    [JsonPropertyName("contact")]
    public PylonMiniContact? Contact { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("user")]
    public PylonMiniUser? User { get; init; }
}

public sealed record PylonMiniContact
{
    [JsonPropertyName("email")]
    public string? Email { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }
}

public sealed record PylonMiniUser
{
    [JsonPropertyName("email")]
    public string? Email { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }
}

public sealed record PylonEmailMessageInfo
{
    [JsonPropertyName("bcc_emails")]
    public IReadOnlyList<string>? BccEmails { get; init; }

    [JsonPropertyName("cc_emails")]
    public IReadOnlyList<string>? CcEmails { get; init; }

    [JsonPropertyName("from_email")]
    public string? FromEmail { get; init; }

    [JsonPropertyName("message_id")]
    public string? MessageId { get; init; }

    [JsonPropertyName("to_emails")]
    public IReadOnlyList<string>? ToEmails { get; init; }
}

/// <summary><c>Pagination</c>: both fields are required by the schema.</summary>
public sealed record PylonPagination
{
    [JsonPropertyName("cursor"), JsonRequired]
    public string Cursor { get; init; } = "";

    [JsonPropertyName("has_next_page"), JsonRequired]
    public bool HasNextPage { get; init; }
}

/// <summary><c>GetIssueMessagesResponseBody</c>.</summary>
public sealed record PylonMessagesResponse
{
    [JsonPropertyName("data"), JsonRequired]
    public IReadOnlyList<PylonMessage> Data { get; init; } = [];

    [JsonPropertyName("pagination")]
    public PylonPagination? Pagination { get; init; }

    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }
}

/// <summary><c>IssueThread</c>: use <see cref="Id"/> (not <see cref="ThreadId"/>) to post notes (api-docs 000).</summary>
public sealed record PylonIssueThread
{
    [JsonPropertyName("id"), JsonRequired]
    public string Id { get; init; } = "";

    [JsonPropertyName("channel_id")]
    public string? ChannelId { get; init; }

    [JsonPropertyName("issue_id")]
    public string? IssueId { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("source")]
    public string? Source { get; init; }

    [JsonPropertyName("thread_id")]
    public string? ThreadId { get; init; }
}

/// <summary><c>GetIssueThreadsResponseBody</c>.</summary>
public sealed record PylonThreadsResponse
{
    [JsonPropertyName("data"), JsonRequired]
    public IReadOnlyList<PylonIssueThread> Data { get; init; } = [];

    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }
}

/// <summary><c>CreateIssueThreadRequestBody</c>.</summary>
public sealed record PylonCreateThreadRequest
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }
}

/// <summary><c>CreateIssueThreadResponseBody</c>.</summary>
public sealed record PylonCreateThreadResponse
{
    [JsonPropertyName("data"), JsonRequired]
    public PylonIssueThread Data { get; init; } = new();

    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }
}

/// <summary><c>CreateIssueReplyRequestBody</c>: <c>body_html</c> and <c>message_id</c> required; only one of user_id / contact_id.</summary>
public sealed record PylonReplyRequest
{
    [JsonPropertyName("attachment_urls")]
    public IReadOnlyList<string>? AttachmentUrls { get; init; }

    [JsonPropertyName("body_html")]
    public required string BodyHtml { get; init; }

    [JsonPropertyName("contact_id")]
    public string? ContactId { get; init; }

    [JsonPropertyName("message_id")]
    public required string MessageId { get; init; }

    [JsonPropertyName("user_id")]
    public string? UserId { get; init; }
}

/// <summary><c>CreateIssueNoteRequestBody</c>: <c>body_html</c> required; thread_id is the thread's <c>id</c>.</summary>
public sealed record PylonNoteRequest
{
    [JsonPropertyName("attachment_urls")]
    public IReadOnlyList<string>? AttachmentUrls { get; init; }

    [JsonPropertyName("body_html")]
    public required string BodyHtml { get; init; }

    [JsonPropertyName("message_id")]
    public string? MessageId { get; init; }

    [JsonPropertyName("thread_id")]
    public string? ThreadId { get; init; }

    [JsonPropertyName("thread_name")]
    public string? ThreadName { get; init; }

    [JsonPropertyName("user_id")]
    public string? UserId { get; init; }
}

/// <summary><c>CreateIssueReplyResponseData</c> / <c>CreateIssueNoteResponseData</c>.</summary>
public sealed record PylonCreatedMessage
{
    [JsonPropertyName("id"), JsonRequired]
    public string Id { get; init; } = "";

    [JsonPropertyName("issue_id")]
    public string? IssueId { get; init; }
}

/// <summary><c>CreateIssueReplyResponseBody</c> / <c>CreateIssueNoteResponseBody</c>.</summary>
public sealed record PylonCreatedMessageResponse
{
    [JsonPropertyName("data"), JsonRequired]
    public PylonCreatedMessage Data { get; init; } = new();

    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }
}

/// <summary><c>RedactMessageResponseBody</c>.</summary>
public sealed record PylonRedactResponse
{
    [JsonPropertyName("data")]
    public PylonMessage? Data { get; init; }

    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }
}

/// <summary><c>DeleteMessageResponseBody</c>.</summary>
public sealed record PylonDeleteResponse
{
    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }
}

/// <summary><c>ErrorApiResponseBody</c>.</summary>
public sealed record PylonErrorBody
{
    [JsonPropertyName("errors")]
    public IReadOnlyList<string>? Errors { get; init; }

    [JsonPropertyName("exists_id")]
    public string? ExistsId { get; init; }

    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }
}

/// <summary>
/// <c>SearchIssuesRequest</c> (POST /issues/search, contracts/pylon-openapi.json): <c>filter</c> is required, <c>limit</c>
/// is 1..999 (Pylon's default 100), <c>cursor</c> continues a search.
/// </summary>
public sealed record PylonSearchIssuesRequest
{
    [JsonPropertyName("filter")]
    public required PylonFilter Filter { get; init; }

    [JsonPropertyName("limit")]
    public int? Limit { get; init; }

    [JsonPropertyName("cursor")]
    public string? Cursor { get; init; }
}

/// <summary>
/// <c>Filter</c>: a field with an operator and a value (<c>time_is_after</c> takes an RFC 3339 time in <c>value</c>), or
/// <c>and</c>/<c>or</c> over <c>subfilters</c> (at most 3 deep).
/// </summary>
public sealed record PylonFilter
{
    /// <summary>
    /// Required by the schema on every filter (<c>Filter.required</c>: field, operator); an <c>and</c>/<c>or</c> filter
    /// sends it empty ("For non-compound filters ... Field must be set").
    /// </summary>
    [JsonPropertyName("field")]
    public required string Field { get; init; }

    [JsonPropertyName("operator")]
    public required string Operator { get; init; }

    [JsonPropertyName("value")]
    public string? Value { get; init; }

    [JsonPropertyName("values")]
    public IReadOnlyList<string>? Values { get; init; }

    [JsonPropertyName("subfilters")]
    public IReadOnlyList<PylonFilter>? Subfilters { get; init; }
}

/// <summary><c>SearchIssuesResponseBody</c>: a page of <c>Issue</c> objects.</summary>
public sealed record PylonSearchIssuesResponse
{
    [JsonPropertyName("data")]
    public IReadOnlyList<PylonIssue>? Data { get; init; }

    [JsonPropertyName("pagination")]
    public PylonPagination? Pagination { get; init; }

    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }
}

/// <summary>
/// <c>Issue</c>, the fields the change feed reads: its id and the two times that say it changed. Pylon's Issue has many
/// more (title, account, custom fields, ...); they are not read.
/// </summary>
public sealed record PylonIssue
{
    [JsonPropertyName("id"), JsonRequired]
    public string Id { get; init; } = "";

    /// <summary>"The time of the latest message in the issue."</summary>
    [JsonPropertyName("latest_message_time")]
    public string? LatestMessageTime { get; init; }

    /// <summary>"The time the issue was last updated."</summary>
    [JsonPropertyName("updated_at")]
    public string? UpdatedAt { get; init; }
}
