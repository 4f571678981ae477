using System.Text.Json;
using System.Text.Json.Serialization;
using MessageSync.Core.Model;
using MessageSync.Core.State;

namespace MessageSync.Worker.Commands;

/// <summary>
/// The documented shapes of <c>--json</c> output (README, "Machine output"). They are the contract with scripts: a
/// field is added, never renamed or removed. Names are camelCase; systems, kinds and changes are camelCase strings
/// (<c>pylon</c>, <c>unpropagatedRedaction</c>, <c>created</c>); times are ISO 8601 with offset.
/// </summary>
public static class ToolJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static StatusDocument Status(StoreStatus status, IReadOnlyList<OutcomeRecord> outcomes, IReadOnlyList<MarkerKeeping> markers) => new(
        status.Links.Select(l => new LinkStatusDocument(
            l.LinkId,
            Enum.GetValues<SystemId>()
                .Where(s => l.MessagesPerSystem.ContainsKey(s) || l.LastPoll.ContainsKey(s))
                .ToDictionary(Name, s => new SystemStatusDocument(l.MessagesPerSystem.GetValueOrDefault(s), l.LastPoll.TryGetValue(s, out var at) ? at : null)),
            l.Mirrored,
            new OutboxDocument(l.UnpublishedOutbox, l.OldestUnpublishedAt),
            Enum.GetValues<OutcomeKind>().ToDictionary(Name, k => l.OpenOutcomes.GetValueOrDefault(k)))).ToList(),
        outcomes.Select(Outcome).ToList(),
        markers.ToDictionary(m => Name(m.System), m => new MarkerDocument(m.Keeps, m.Evidence, m.ObservedAt)));

    public static OutcomeDocument Outcome(OutcomeRecord o) =>
        new(o.Id, o.LinkId, o.Target, o.Kind, o.Change, o.CanonicalId, o.Reason, o.CreatedAt);
}

/// <summary><c>status --json</c>.</summary>
public sealed record StatusDocument(IReadOnlyList<LinkStatusDocument> Links, IReadOnlyList<OutcomeDocument> Outcomes, IReadOnlyDictionary<string, MarkerDocument> Markers);

/// <summary>What a system showed about keeping our data-sync-id marker (only systems seen so far).</summary>
public sealed record MarkerDocument(bool Keeps, string Evidence, DateTimeOffset ObservedAt);

/// <summary>One link: per system (only systems seen) messages and last poll; mirrors written; outbox; open outcomes by kind (every kind).</summary>
public sealed record LinkStatusDocument(
    string Id, IReadOnlyDictionary<string, SystemStatusDocument> Systems, int Mirrored, OutboxDocument Outbox, IReadOnlyDictionary<string, int> OpenOutcomes);

public sealed record SystemStatusDocument(int Messages, DateTimeOffset? LastPoll);

/// <summary>Changes detected but not yet published, and when the oldest of them was detected.</summary>
public sealed record OutboxDocument(int Pending, DateTimeOffset? OldestPendingAt);

/// <summary>An open outcome (<c>status --json</c>, <c>errors list --json</c>); <c>message</c> is the canonical message id.</summary>
public sealed record OutcomeDocument(long Id, string Link, SystemId Target, OutcomeKind Kind, ChangeKind? Change, Guid? Message, string Reason, DateTimeOffset Since);

/// <summary><c>errors list --json</c>.</summary>
public sealed record ErrorsDocument(IReadOnlyList<OutcomeDocument> Outcomes);

/// <summary><c>links list --json</c>; <c>source</c> is <c>config</c> or <c>store</c>.</summary>
public sealed record LinksDocument(IReadOnlyList<LinkDocument> Links);

public sealed record LinkDocument(
    string Id, string Source, string? PylonIssueId, string? HelpdeskTicketId, string? CordThreadId, bool CordThreadCustomerVisible,
    IReadOnlyList<string> CordAgentUserIds, ReplyDelivery DeliverRepliesVia)
{
    public static LinkDocument From(ConversationLink link, string source) => new(
        link.Id, source, link.PylonIssueId, link.HelpdeskTicketId, link.CordThreadId, link.CordThreadCustomerVisible, link.CordAgentUserIds, link.DeliverRepliesVia);
}

/// <summary><c>backfill --json</c>: the run's result (<c>caughtUp</c>, <c>failed</c>, <c>timedOut</c>) and its counts.</summary>
public sealed record BackfillDocument(string Result, int ExitCode, int Links, int ChangesDetected, int ReadFailures, int Faulted, int Pending, double ElapsedSeconds, string Summary);
