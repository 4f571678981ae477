using System.Diagnostics.Metrics;
using MessageSync.Core.Model;

namespace MessageSync.Core.Engine;

/// <summary>
/// The engine's counters (meter <c>MessageSync</c>), exported by the worker as Prometheus text on <c>/metrics</c>.
/// Names follow Prometheus conventions; every counter carries a <c>system</c> tag.
/// </summary>
public sealed class SyncMetrics : IDisposable
{
    public const string MeterName = "MessageSync";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _detected;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _polls;
    private readonly Counter<long> _published;

    public SyncMetrics()
    {
        _detected = _meter.CreateCounter<long>("sync_changes_detected_total", description: "Changes found by polling, per source system");
        _applied = _meter.CreateCounter<long>("sync_changes_applied_total", description: "Changes written to a target system");
        _failed = _meter.CreateCounter<long>("sync_changes_failed_total", description: "Attempts to apply a change that failed (retried or faulted)");
        _outcomes = _meter.CreateCounter<long>("sync_outcomes_total", description: "Recorded outcomes (parked, unpropagated redaction, faulted, skipped)");
        _polls = _meter.CreateCounter<long>("sync_polls_total", description: "Conversation polls, per system");
        _published = _meter.CreateCounter<long>("sync_outbox_published_total", description: "Outbox rows published to the bus");
    }

    public void Detected(SystemId system, int count) => _detected.Add(count, Tag(system));

    public void Applied(SystemId target, string action) => _applied.Add(1, Tag(target), new("action", action));

    public void Failed(SystemId target, string reason) => _failed.Add(1, Tag(target), new("reason", reason));

    public void Outcome(SystemId target, string kind) => _outcomes.Add(1, Tag(target), new("kind", kind));

    public void Polled(SystemId system) => _polls.Add(1, Tag(system));

    public void Published(int count) => _published.Add(count);

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(SystemId system) => new("system", system.ToString().ToLowerInvariant());
}
