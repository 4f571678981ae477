using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Threading.RateLimiting;

namespace MessageSync.Adapters.Http;

/// <summary>
/// The token buckets of one system, one per endpoint class, shared by every poller and consumer in the process
/// (DESIGN.md "Rate limits"). Each bucket refills one token every <c>60 s / limit / BudgetScale</c>, so the documented
/// budget is used in full and evenly. A response whose rate-limit headers announce a lower limit, or no requests left,
/// takes effect at once.
/// </summary>
public sealed class RateBudget : IDisposable
{
    /// <summary>The shortest refill period used; faster budgets refill several tokens per period.</summary>
    internal static readonly TimeSpan MinimumPeriod = TimeSpan.FromMilliseconds(4);

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.OrdinalIgnoreCase);
    private readonly double _scale;
    private readonly int _burst;
    private readonly TimeProvider _time;

    public RateBudget(IReadOnlyDictionary<string, int> limitsPerMinute, double scale, int burst, TimeProvider? timeProvider = null)
    {
        _scale = scale <= 0 ? 1 : scale;
        _burst = burst;
        _time = timeProvider ?? TimeProvider.System;
        foreach (var (endpoint, limit) in limitsPerMinute)
        {
            _buckets[endpoint] = new Bucket(limit, CreateLimiter(limit));
        }
    }

    /// <summary>The current requests-a-minute of an endpoint class, or null when it has no budget.</summary>
    public int? LimitOf(string endpointClass) => _buckets.TryGetValue(endpointClass, out var b) ? b.Limit : null;

    /// <summary>Requests a minute this process may make to an endpoint class, <c>BudgetScale</c> included; null when unlimited.</summary>
    public double? RateOf(string endpointClass) => LimitOf(endpointClass) * _scale;

    /// <summary>Takes one token, waiting for it if needed. Returns true when the caller had to wait (a "rate-limit wait").</summary>
    public async ValueTask<bool> AcquireAsync(string endpointClass, CancellationToken cancellationToken)
    {
        if (!_buckets.TryGetValue(endpointClass, out var bucket))
        {
            return false;
        }

        var waited = false;
        var pause = bucket.PausedUntil - _time.GetUtcNow();
        if (pause > TimeSpan.Zero)
        {
            waited = true;
            await Task.Delay(pause, _time, cancellationToken);
        }

        using (var lease = bucket.Limiter.AttemptAcquire(1))
        {
            if (lease.IsAcquired)
            {
                return waited;
            }
        }

        using var queued = await bucket.Limiter.AcquireAsync(1, cancellationToken);
        if (!queued.IsAcquired)
        {
            // The queue is unbounded, so this only happens when a lowered limit replaced the limiter meanwhile.
            await AcquireAsync(endpointClass, cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Reads <c>X-Rate-Limit-Limit</c> / <c>-Remaining</c> / <c>-Reset</c> (and the <c>X-RateLimit-*</c>,
    /// <c>RateLimit-*</c> spellings). A lower limit replaces the bucket; no requests remaining pauses the class until reset.
    /// </summary>
    public void Observe(string endpointClass, HttpResponseHeaders headers)
    {
        if (!_buckets.TryGetValue(endpointClass, out var bucket))
        {
            return;
        }

        var limit = ReadNumber(headers, "Limit");
        if (limit is > 0 && limit < bucket.Limit)
        {
            var lowered = new Bucket((int)limit.Value, CreateLimiter((int)limit.Value)) { PausedUntil = bucket.PausedUntil };
            // The old limiter is not disposed: its queued waiters finish on it rather than failing.
            _buckets[endpointClass] = lowered;
            bucket = lowered;
        }

        var remaining = ReadNumber(headers, "Remaining");
        var reset = ReadNumber(headers, "Reset");
        if (remaining is <= 0 && reset is > 0)
        {
            var now = _time.GetUtcNow();
            // Reset is either seconds from now or a Unix time; anything past 2001 in seconds is read as a time.
            var until = reset.Value > 1_000_000_000
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(reset.Value * 1000))
                : now + TimeSpan.FromSeconds(reset.Value);
            if (until > bucket.PausedUntil && until - now < TimeSpan.FromHours(1))
            {
                bucket.PausedUntil = until;
            }
        }
    }

    /// <summary>
    /// Empties every bucket: a process that has just taken over a system (DESIGN.md, "Several processes") starts with no
    /// burst, so the previous owner's last minute and this one's first stay within the documented limit together.
    /// </summary>
    public void Drain()
    {
        foreach (var bucket in _buckets.Values)
        {
            var available = (int)Math.Min(bucket.Limiter.GetStatistics()?.CurrentAvailablePermits ?? 0, int.MaxValue);
            if (available > 0)
            {
                // Token bucket leases keep their tokens when disposed: the tokens are gone until the bucket refills.
                bucket.Limiter.AttemptAcquire(available).Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Limiter.Dispose();
        }
    }

    private TokenBucketRateLimiter CreateLimiter(int limitPerMinute)
    {
        // 2% slack per token: arrival jitter on the server must not put limit+1 requests into one of its windows.
        var perToken = TimeSpan.FromMinutes(1).Ticks / _scale / limitPerMinute * 1.02;

        // The limiter's replenishment timer cannot tick faster than about a millisecond: a shorter period (a BudgetScale in
        // the thousands) never refilled the bucket at all. Below MinimumPeriod, several tokens arrive per tick instead, and
        // the bucket holds at least one tick's worth so that none of them is lost.
        var tokensPerPeriod = (int)Math.Max(1, Math.Ceiling(MinimumPeriod.Ticks / perToken));
        var period = TimeSpan.FromTicks((long)Math.Ceiling(perToken * tokensPerPeriod));
        var capacity = Math.Max(tokensPerPeriod, _burst <= 0 ? limitPerMinute : Math.Min(_burst, limitPerMinute));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = capacity,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    private static double? ReadNumber(HttpResponseHeaders headers, string suffix)
    {
        foreach (var prefix in new[] { "X-Rate-Limit-", "X-RateLimit-", "RateLimit-" })
        {
            if (headers.TryGetValues(prefix + suffix, out var values)
                && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }
        }

        return null;
    }

    private sealed class Bucket(int limit, TokenBucketRateLimiter limiter)
    {
        public int Limit { get; } = limit;
        public TokenBucketRateLimiter Limiter { get; } = limiter;
        private long _pausedUntilTicks = DateTimeOffset.MinValue.UtcTicks;

        public DateTimeOffset PausedUntil
        {
            get => new(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _pausedUntilTicks, value.UtcTicks);
        }
    }
}
