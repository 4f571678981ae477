using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Http;

/// <summary>Per-system HTTP counters, read by <c>status</c>, the metrics endpoint and tests.</summary>
public interface IAdapterMetrics
{
    AdapterCounters Snapshot(SystemId system);
}

/// <summary>Counts since start: attempts sent, 429s seen, waits for a budget token, calls that failed after retries.</summary>
public sealed record AdapterCounters(long Requests, long RateLimited, long RateLimitWaits, long Failures, long Retries);

/// <summary>
/// Publishes the counters on the <c>MessageSync.Adapters</c> meter (for OpenTelemetry / Prometheus in the worker)
/// and keeps totals per system for <see cref="IAdapterMetrics"/>.
/// </summary>
public sealed class AdapterMetrics : IAdapterMetrics, IDisposable
{
    public const string MeterName = "MessageSync.Adapters";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _requests;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _waits;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _retries;
    private readonly ConcurrentDictionary<SystemId, long[]> _totals = new();

    public AdapterMetrics()
    {
        _requests = _meter.CreateCounter<long>("messagesync.adapter.requests", description: "HTTP attempts sent to a system");
        _rateLimited = _meter.CreateCounter<long>("messagesync.adapter.rate_limited", description: "429 responses seen");
        _waits = _meter.CreateCounter<long>("messagesync.adapter.rate_limit_waits", description: "calls that waited for a budget token");
        _failures = _meter.CreateCounter<long>("messagesync.adapter.failures", description: "calls that failed after retries");
        _retries = _meter.CreateCounter<long>("messagesync.adapter.retries", description: "attempts repeated after a retryable outcome");
    }

    public void Request(SystemId system) => Add(system, 0, _requests);

    public void RateLimited(SystemId system) => Add(system, 1, _rateLimited);

    public void RateLimitWait(SystemId system) => Add(system, 2, _waits);

    public void Failure(SystemId system) => Add(system, 3, _failures);

    public void Retry(SystemId system) => Add(system, 4, _retries);

    public AdapterCounters Snapshot(SystemId system)
    {
        var t = _totals.GetOrAdd(system, _ => new long[5]);
        return new AdapterCounters(Interlocked.Read(ref t[0]), Interlocked.Read(ref t[1]), Interlocked.Read(ref t[2]),
            Interlocked.Read(ref t[3]), Interlocked.Read(ref t[4]));
    }

    public void Dispose() => _meter.Dispose();

    private void Add(SystemId system, int index, Counter<long> counter)
    {
        var t = _totals.GetOrAdd(system, _ => new long[5]);
        Interlocked.Increment(ref t[index]);
        counter.Add(1, new KeyValuePair<string, object?>("system", system.ToString().ToLowerInvariant()));
    }
}
