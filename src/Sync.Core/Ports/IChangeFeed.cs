using MessageSync.Core.Model;

namespace MessageSync.Core.Ports;

/// <summary>
/// A conversation a change feed saw activity in.
/// </summary>
/// <param name="ConversationId">The system's conversation id (Pylon issue, Cord thread).</param>
/// <param name="LatestActivity">The latest activity the feed shows for it, on the system's clock; null when unknown.</param>
/// <param name="Fingerprint">
/// Where the feed lists every message (Cord), a digest of the conversation's messages as listed: it changes with any
/// create, edit, soft or hard deletion, whatever the times say. Null where the feed lists conversations only (Pylon).
/// </param>
public sealed record FeedActivity(string ConversationId, DateTimeOffset? LatestActivity, string? Fingerprint = null);

/// <summary>What one read of a change feed found.</summary>
/// <param name="Conversations">The asked-for conversations the feed names (for a fingerprinting feed: every one it listed).</param>
/// <param name="ServerTime">The system's own clock at the read (the HTTP <c>Date</c> of its answer), so the next window needs no agreement between clocks.</param>
/// <param name="Complete">False when the read stopped before the feed's end (page cap): nothing may be concluded from what is missing.</param>
/// <param name="Requests">Requests the read made (each one counted against the system's budget).</param>
public sealed record FeedRead(IReadOnlyList<FeedActivity> Conversations, DateTimeOffset? ServerTime, bool Complete, int Requests);

/// <summary>
/// A system-wide list of recent activity (issue 13.1): one paginated read names the conversations that changed since a
/// time, so the owner of the system reads those conversations instead of every conversation in turn. Implemented where
/// the API documents one (Pylon's issue search, Cord's application-wide message list); the helpdesk has none. A feed only
/// hints: the conversations it names are read through the usual per-conversation poll, which stays the fallback.
/// </summary>
public interface IChangeFeed
{
    SystemId System { get; }

    /// <summary>
    /// True when the feed lists every message of every conversation (<see cref="FeedActivity.Fingerprint"/> set): then a
    /// conversation a complete read does not name has no messages at all.
    /// </summary>
    bool Fingerprints { get; }

    /// <summary>
    /// The conversations among <paramref name="conversations"/> with activity after <paramref name="since"/> (system clock),
    /// and, for a fingerprinting feed, every one of them the feed lists.
    /// </summary>
    Task<FeedRead> ReadAsync(DateTimeOffset since, IReadOnlySet<string> conversations, CancellationToken cancellationToken);
}
