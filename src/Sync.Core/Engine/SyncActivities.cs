using System.Diagnostics;

namespace MessageSync.Core.Engine;

/// <summary>
/// MessageSync's traces (activity source <c>MessageSync</c>): a poll is a span; every change it detects remembers that
/// span (<see cref="Contracts.MessageChanged.TraceParent"/>), so the relay's publish, MassTransit's send and consume and the
/// target's HTTP write are one trace from poll to mirror written, even when the relay publishes later or in another process.
/// Without a listener (no exporter configured) no span is created and nothing is remembered.
/// </summary>
public static class SyncActivities
{
    public const string SourceName = "MessageSync";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The span of one poll of one conversation in one system.</summary>
    public static Activity? StartPoll(string linkId, Model.SystemId system, bool fullScan) =>
        Source.StartActivity("poll " + system.ToString().ToLowerInvariant())?
            .SetTag("messagesync.link", linkId)
            .SetTag("messagesync.system", SyncMetrics.Name(system))
            .SetTag("messagesync.full_scan", fullScan);

    /// <summary>The W3C <c>traceparent</c> of the current span, to store with a change detected inside it.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>The span that publishes a stored change, a child of the poll that detected it when that is known.</summary>
    public static Activity? StartPublish(Contracts.MessageChanged change)
    {
        ActivityContext.TryParse(change.TraceParent, null, out var parent);
        return Source.StartActivity("outbox publish", ActivityKind.Producer, parent)?
            .SetTag("messagesync.link", change.LinkId)
            .SetTag("messagesync.change", SyncMetrics.Name(change.Change))
            .SetTag("messagesync.change_id", change.ChangeId.ToString());
    }
}
