namespace MessageSync.Simulators;

/// <summary>A Pylon contact (the customer of an issue).</summary>
public sealed record PylonContact(string Id, string Email, string Name);

/// <summary>An internal thread of a Pylon issue (<c>IssueThread</c>).</summary>
public sealed record PylonThreadState(string Id, string IssueId, string Name, bool IsDefault);

/// <summary>
/// A Pylon message as stored, deleted and redacted ones included. <see cref="MessageHtml"/> is the raw
/// stored body: empty for good after a redaction. <see cref="ReachedCustomer"/> is true for customer-visible
/// messages written by someone other than the customer (a reply).
/// </summary>
public sealed record PylonMessageState(
    string Id,
    string IssueId,
    SimMessageKind Kind,
    bool IsPrivate,
    string? ThreadId,
    string MessageHtml,
    IReadOnlyList<string> FileUrls,
    string AuthorName,
    string? AuthorEmail,
    string? ContactId,
    string? UserId,
    string Source,
    DateTimeOffset Timestamp,
    string? ReplyToMessageId,
    bool Redacted,
    DateTimeOffset? RedactedAt,
    bool Deleted,
    DateTimeOffset? DeletedAt,
    bool ReachedCustomer);

/// <summary>A Pylon issue with its threads and every message ever written to it.</summary>
public sealed record PylonIssueState(string Id, PylonContact Contact, IReadOnlyList<PylonThreadState> Threads, IReadOnlyList<PylonMessageState> Messages);
