using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using MessageSync.Core.Model;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>What a person did to a message after writing it: the terminal action, after which nothing else is done to it.</summary>
public enum Removal
{
    None,

    /// <summary>Pylon <c>redact</c>, or the Cord content replaced by "[redacted]".</summary>
    Redacted,

    /// <summary>Pylon delete, Cord soft delete (<c>deleted: true</c>) or Cord hard delete.</summary>
    Deleted,
}

/// <summary>
/// One edit a person made in Cord: the token of the new version and the copy it was made on; for an edit of a copy the
/// worker wrote, how long the person had seen that copy before editing it.
/// </summary>
public sealed record EditRecord(string Token, SystemId On, string ExternalId, DateTimeOffset At, TimeSpan? MirrorSeenFor = null)
{
    public override string ToString() => MirrorSeenFor is { } age
        ? $"{Token}, made in {On} on the worker's copy {ExternalId}, {age.TotalSeconds:0.0} s after it appeared"
        : $"{Token}, made in {On} on the original {ExternalId}";
}

/// <summary>
/// One message a person wrote, as the workload recorded it: where, what kind it is there (DESIGN.md "reads as"), the
/// token of each version (every version's text carries its own token, nothing else), and what was done to it since.
/// </summary>
public sealed class LedgerMessage
{
    internal LedgerMessage(string id, ChaosLink link, SystemId origin, string originExternalId, MessageKind kind, bool reachedCustomer, bool hasAttachment, DateTimeOffset at)
    {
        Id = id;
        Link = link;
        Origin = origin;
        OriginExternalId = originExternalId;
        Kind = kind;
        ReachedCustomerAtOrigin = reachedCustomer;
        HasAttachment = hasAttachment;
        WrittenAt = at;
        Tokens.Add(Ledger.Token(id, 0));
    }

    /// <summary>The message's id in the workload: "qz" + link + "m" + sequence; tokens add "v" + version + "q".</summary>
    public string Id { get; }

    public ChaosLink Link { get; }

    public SystemId Origin { get; }

    public string OriginExternalId { get; }

    public MessageKind Kind { get; }

    /// <summary>The original itself reached the customer (a Pylon reply by an agent, an e-mailed helpdesk response, an agent's message in a customer-visible Cord thread).</summary>
    public bool ReachedCustomerAtOrigin { get; }

    public bool HasAttachment { get; }

    public DateTimeOffset WrittenAt { get; }

    /// <summary>Version 0 is the original text; version k the k-th edit.</summary>
    public List<string> Tokens { get; } = [];

    public List<EditRecord> Edits { get; } = [];

    public Removal Removal { get; internal set; }

    /// <summary>How and where the removal was made, for the report ("Pylon redact on msg_..").</summary>
    public string? RemovalDetail { get; internal set; }

    public string LatestToken => Tokens[^1];

    public override string ToString() => $"{Id} ({Kind} written in {Origin} on link {Link.Id})";
}

/// <summary>The workload's record of truth for a scenario: the links and every message written, edited and removed.</summary>
public sealed partial class Ledger
{
    private readonly ConcurrentDictionary<string, LedgerMessage> _messages = new(StringComparer.Ordinal);
    private int _sequence;

    public Ledger(IReadOnlyList<ChaosLink> links) => Links = links;

    public IReadOnlyList<ChaosLink> Links { get; }

    public IReadOnlyCollection<LedgerMessage> Messages => [.. _messages.Values.OrderBy(m => m.Id, StringComparer.Ordinal)];

    public int Count => _messages.Count;

    /// <summary>"qz03m00042v01q": link 3, message 42, version 1. Fixed widths and the closing "q": no token is part of another.</summary>
    public static string Token(string messageId, int version) => $"{messageId}v{version.ToString("D2", CultureInfo.InvariantCulture)}q";

    /// <summary>Every token in a text.</summary>
    public static IEnumerable<string> TokensIn(string text) => TokenPattern().Matches(text).Select(m => m.Value);

    /// <summary>The message id part of a token.</summary>
    public static string MessageIdOf(string token) => token[..^4];

    public string NextMessageId(ChaosLink link) =>
        $"qz{link.Index.ToString("D2", CultureInfo.InvariantCulture)}m{Interlocked.Increment(ref _sequence).ToString("D5", CultureInfo.InvariantCulture)}";

    public LedgerMessage Add(string id, ChaosLink link, SystemId origin, string originExternalId, MessageKind kind, bool reachedCustomer, bool hasAttachment)
    {
        var message = new LedgerMessage(id, link, origin, originExternalId, kind, reachedCustomer, hasAttachment, DateTimeOffset.UtcNow);
        _messages[id] = message;
        return message;
    }

    public LedgerMessage? Find(string messageId) => _messages.TryGetValue(messageId, out var m) ? m : null;

    /// <summary>The token the next edit of <paramref name="message"/> will carry (recorded by <see cref="RecordEdit"/> once made).</summary>
    public static string NextEditToken(LedgerMessage message) => Token(message.Id, message.Tokens.Count);

    public static void RecordEdit(LedgerMessage message, EditRecord edit)
    {
        message.Tokens.Add(edit.Token);
        message.Edits.Add(edit);
    }

    public static void RecordRemoval(LedgerMessage message, Removal removal, string detail)
    {
        message.Removal = removal;
        message.RemovalDetail = detail;
    }

    [GeneratedRegex(@"qz\d{2}m\d{5}v\d{2}q")]
    private static partial Regex TokenPattern();
}
