using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using MessageSync.Core.Model;
using MessageSync.Core.State;

namespace MessageSync.Core.Engine;

/// <summary>Counts since start of one system's HTTP traffic (for tests and diagnostics; the meter has them per endpoint).</summary>
public sealed record HttpCounters(long Requests, long RateLimited, long RateLimitWaits, long Failures, long Retries);

/// <summary>
/// The one home of MessageSync's metrics (meter <c>MessageSync</c>): the engine's (changes detected, applied, failed,
/// outcomes, polls, outbox), the adapters' HTTP traffic per system and endpoint (attempts by status, 429s, budget waits,
/// retries, failures, attempt duration), the apply latency and the sync lag (detection to mirror written), and the state
/// gauges (outbox, open outcomes, paused systems). Instruments are named the OpenTelemetry way with units; the Prometheus
/// exposition turns <c>messagesync.changes.detected</c> into <c>messagesync_changes_detected_total</c> and
/// <c>messagesync.apply.duration</c> (s) into <c>messagesync_apply_duration_seconds</c>. Time comes from
/// <see cref="TimeProvider"/>; labels are low-cardinality (system, endpoint, status, action, reason, kind, link).
/// </summary>
public sealed class SyncMetrics : IDisposable
{
    public const string MeterName = "MessageSync";

    /// <summary>Seconds, from a fast local write to a target paced by a 10-a-minute budget and a backlog.</summary>
    private static readonly double[] LatencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    /// <summary>Seconds from detection to mirror written: a poll interval, a relay tick, a budget wait, a broker outage.</summary>
    private static readonly double[] LagBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly TimeProvider _time;
    private readonly Counter<long> _detected;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _polls;
    private readonly Counter<long> _published;
    private readonly Histogram<double> _applyDuration;
    private readonly Histogram<double> _syncLag;
    private readonly Counter<long> _httpRequests;
    private readonly Counter<long> _httpRateLimited;
    private readonly Counter<long> _httpWaits;
    private readonly Counter<double> _httpWaitTime;
    private readonly Counter<long> _httpRetries;
    private readonly Counter<long> _httpFailures;
    private readonly Histogram<double> _httpDuration;
    private readonly ConcurrentDictionary<SystemId, long[]> _httpTotals = new();
    private volatile StateReading _state = new([], new Dictionary<SystemId, string>(), DateTimeOffset.MinValue);

    public SyncMetrics(IMeterFactory? meterFactory = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        // Through the host's IMeterFactory the meter belongs to this host: two hosts in one process (tests) never mix counts.
        Meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);

        _detected = Meter.CreateCounter<long>("messagesync.changes.detected", "{change}", "Changes found by polling, per source system");
        _applied = Meter.CreateCounter<long>("messagesync.changes.applied", "{change}", "Changes written to a target system, per target and action");
        _failed = Meter.CreateCounter<long>("messagesync.changes.failed", "{attempt}", "Attempts to apply a change that failed (auth, transient: retried; permanent: faulted)");
        _outcomes = Meter.CreateCounter<long>("messagesync.outcomes", "{outcome}", "Outcomes recorded (parked, unpropagated redaction, faulted, skipped), per target and kind");
        _polls = Meter.CreateCounter<long>("messagesync.polls", "{poll}", "Conversation polls, per system");
        _published = Meter.CreateCounter<long>("messagesync.outbox.published", "{change}", "Outbox rows published to the bus");
        _applyDuration = Meter.CreateHistogram("messagesync.apply.duration", "s", "Time to apply one change to one target, per target and action",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _syncLag = Meter.CreateHistogram("messagesync.sync.lag", "s", "Time from a change's detection to its mirror written in the target, per target",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });

        _httpRequests = Meter.CreateCounter<long>("messagesync.http.requests", "{request}", "HTTP attempts sent, per system, endpoint class and status (error: no response)");
        _httpRateLimited = Meter.CreateCounter<long>("messagesync.http.rate_limited", "{response}", "429 responses seen, per system and endpoint class");
        _httpWaits = Meter.CreateCounter<long>("messagesync.http.rate_limit.waits", "{wait}", "Calls that waited for a budget token, per system and endpoint class");
        _httpWaitTime = Meter.CreateCounter<double>("messagesync.http.rate_limit.wait_time", "s", "Time spent waiting for budget tokens, per system and endpoint class");
        _httpRetries = Meter.CreateCounter<long>("messagesync.http.retries", "{attempt}", "Attempts repeated after a retryable outcome, per system and endpoint class");
        _httpFailures = Meter.CreateCounter<long>("messagesync.http.failures", "{call}", "Calls that failed after retries, per system and endpoint class");
        _httpDuration = Meter.CreateHistogram("messagesync.http.request.duration", "s", "Duration of one HTTP attempt (budget wait excluded), per system and endpoint class",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

        Meter.CreateObservableGauge("messagesync.outbox.pending", () => _state.Links.Select(l => new Measurement<long>(l.UnpublishedOutbox, Tag("link", l.LinkId))),
            "{change}", "Changes detected but not yet published to the bus, per link");
        Meter.CreateObservableGauge("messagesync.outbox.oldest_age", ObserveOldest, "s", "Age of the oldest change not yet published, per link (0 when none)");
        Meter.CreateObservableGauge("messagesync.outcomes.open",
            () => _state.Links.SelectMany(l => Enum.GetValues<OutcomeKind>().Select(k => new Measurement<long>(l.OpenOutcomes.GetValueOrDefault(k), Tag("link", l.LinkId), Tag("kind", Name(k))))),
            "{outcome}", "Open outcomes (not acknowledged or resolved), per link and kind");
        Meter.CreateObservableGauge("messagesync.system.paused",
            () => Enum.GetValues<SystemId>().Select(s => new Measurement<long>(_state.Paused.ContainsKey(s) ? 1 : 0, Tag(s))),
            "{system}", "1 while a system is paused because it refused our credentials");
    }

    public Meter Meter { get; }

    // ---- engine -------------------------------------------------------------------------------------------------

    public void Detected(SystemId system, int count) => _detected.Add(count, Tag(system));

    public void Polled(SystemId system) => _polls.Add(1, Tag(system));

    public void Published(int count) => _published.Add(count);

    public void Failed(SystemId target, string reason) => _failed.Add(1, Tag(target), Tag("reason", reason));

    public void Outcome(SystemId target, OutcomeKind kind) => _outcomes.Add(1, Tag(target), Tag("kind", Name(kind)));

    /// <summary>A timestamp to pass to <see cref="Applied"/> when the apply began.</summary>
    public long StartTimer() => _time.GetTimestamp();

    /// <summary>A change was written to <paramref name="target"/>: counts it, its apply duration since <paramref name="started"/>,
    /// and its sync lag since detection (<see cref="DetectedAt"/>).</summary>
    public void Applied(SystemId target, string action, Guid changeId, long started)
    {
        action = Snake(action);
        _applied.Add(1, Tag(target), Tag("action", action));
        _applyDuration.Record(_time.GetElapsedTime(started).TotalSeconds, Tag(target), Tag("action", action));
        if (DetectedAt(changeId) is { } detected)
        {
            _syncLag.Record(Math.Max(0, (_time.GetUtcNow() - detected).TotalSeconds), Tag(target));
        }
    }

    /// <summary>
    /// When a change was detected: the outbox creates each change's id as a UUID v7 at detection time
    /// (<c>IStateStore.CommitObservationAsync</c>, <c>ReplayOutcomeAsync</c>), whose first 48 bits are Unix milliseconds.
    /// Null for an id that is not version 7.
    /// </summary>
    public static DateTimeOffset? DetectedAt(Guid changeId)
    {
        if (changeId.Version != 7)
        {
            return null;
        }

        var hex = changeId.ToString("N", CultureInfo.InvariantCulture);
        return DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(hex[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    // ---- adapters' HTTP traffic -------------------------------------------------------------------------------------

    /// <summary>One attempt sent: its status (null: no response) and how long it took.</summary>
    public void HttpAttempt(SystemId system, string endpoint, int? status, TimeSpan duration)
    {
        Count(system, 0);
        _httpRequests.Add(1, Tag(system), Tag("endpoint", endpoint), Tag("status", status?.ToString(CultureInfo.InvariantCulture) ?? "error"));
        _httpDuration.Record(duration.TotalSeconds, Tag(system), Tag("endpoint", endpoint));
        if (status == 429)
        {
            Count(system, 1);
            _httpRateLimited.Add(1, Tag(system), Tag("endpoint", endpoint));
        }
    }

    public void RateLimitWait(SystemId system, string endpoint, TimeSpan waited)
    {
        Count(system, 2);
        _httpWaits.Add(1, Tag(system), Tag("endpoint", endpoint));
        _httpWaitTime.Add(waited.TotalSeconds, Tag(system), Tag("endpoint", endpoint));
    }

    public void HttpFailure(SystemId system, string endpoint)
    {
        Count(system, 3);
        _httpFailures.Add(1, Tag(system), Tag("endpoint", endpoint));
    }

    public void HttpRetry(SystemId system, string endpoint)
    {
        Count(system, 4);
        _httpRetries.Add(1, Tag(system), Tag("endpoint", endpoint));
    }

    public HttpCounters Http(SystemId system)
    {
        var t = _httpTotals.GetOrAdd(system, _ => new long[5]);
        return new HttpCounters(Interlocked.Read(ref t[0]), Interlocked.Read(ref t[1]), Interlocked.Read(ref t[2]), Interlocked.Read(ref t[3]), Interlocked.Read(ref t[4]));
    }

    // ---- state gauges -------------------------------------------------------------------------------------------

    /// <summary>The state the gauges report until the next reading (the worker reads the store before each scrape and export).</summary>
    public void ObserveState(StoreStatus status, IReadOnlyDictionary<SystemId, string> paused) => _state = new StateReading(status.Links, paused, _time.GetUtcNow());

    public void Dispose() => Meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveOldest()
    {
        var state = _state;
        return state.Links.Select(l => new Measurement<double>(
            l.OldestUnpublishedAt is { } at ? Math.Max(0, (state.At - at).TotalSeconds) : 0, Tag("link", l.LinkId)));
    }

    private void Count(SystemId system, int index) => Interlocked.Increment(ref _httpTotals.GetOrAdd(system, _ => new long[5])[index]);

    /// <summary>A label value: <c>UnpropagatedRedaction</c> becomes <c>unpropagated_redaction</c>.</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => Snake(value.ToString());

    private static string Snake(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }

    private static KeyValuePair<string, object?> Tag(SystemId system) => new("system", Name(system));

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private sealed record StateReading(IReadOnlyList<LinkStatus> Links, IReadOnlyDictionary<SystemId, string> Paused, DateTimeOffset At);
}
