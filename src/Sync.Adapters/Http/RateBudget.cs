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
    /// <summary>
    /// The shortest refill period used; faster budgets refill several tokens per period. Each bucket's limiter refills on a
    /// timer of its own, whether or not anyone waits: at a compressed BudgetScale of 1,000 a 4 ms period woke the thread
    /// pool about 1,500 times a second for the Pylon buckets alone, most of a resting worker's CPU (issue 13). 50 ms keeps
    /// one token per period up to 20/min x 60, and costs nothing at the documented limits (3 s and more).
    /// </summary>
    internal static readonly TimeSpan MinimumPeriod = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentBag<Bucket> _retired = [];
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
            _buckets[endpoint] = NewBucket(limit);
        }
    }

    /// <summary>The current requests-a-minute of an endpoint class, or null when it has no budget.</summary>
    public int? LimitOf(string endpointClass) => _buckets.TryGetValue(endpointClass, out var b) ? b.Limit : null;

    /// <summary>Requests a minute this process may make to an endpoint class, <c>BudgetScale</c> included; null when unlimited.</summary>
    public double? RateOf(string endpointClass) => LimitOf(endpointClass) * _scale;

    /// <summary>
    /// Takes one token, waiting for it if needed, and then waits while the requests sent since the latest answer have used
    /// up what that answer said remained in the server's window (<see cref="Observe"/>): pacing alone cannot know how
    /// arrival jitter lands requests in the server's windows, the server's own count can. Returns whether the caller had
    /// to wait (a "rate-limit wait") and the request's place in this class's sequence, for <see cref="Observe"/>.
    /// </summary>
    public async ValueTask<BudgetTicket> AcquireAsync(string endpointClass, CancellationToken cancellationToken)
    {
        if (!_buckets.TryGetValue(endpointClass, out var bucket))
        {
            return new BudgetTicket(false, 0);
        }

        var waited = false;
        var pause = bucket.PausedUntil - _time.GetUtcNow();
        if (pause > TimeSpan.Zero)
        {
            waited = true;
            await Task.Delay(pause, _time, cancellationToken);
        }

        waited |= await TakeTokenAsync(endpointClass, bucket, cancellationToken);
        while (true)
        {
            var now = _time.GetUtcNow();
            if (bucket.Window.TryClaim(now, out var sequence, out var openAt, out var changed))
            {
                return new BudgetTicket(waited, sequence);
            }

            // Until the window resets, or until a newer answer says more about it.
            waited = true;
            using (var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                await Task.WhenAny(Task.Delay(openAt - now, _time, wake.Token), changed);
                await wake.CancelAsync();
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async ValueTask<bool> TakeTokenAsync(string endpointClass, Bucket bucket, CancellationToken cancellationToken)
    {
        using (var lease = bucket.Limiter.AttemptAcquire(1))
        {
            if (lease.IsAcquired)
            {
                return false;
            }
        }

        using var queued = await bucket.Limiter.AcquireAsync(1, cancellationToken);
        if (!queued.IsAcquired)
        {
            // The queue is unbounded, so this only happens when a lowered limit replaced the limiter meanwhile.
            await TakeTokenAsync(endpointClass, _buckets[endpointClass], cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Reads <c>X-Rate-Limit-Limit</c> / <c>-Remaining</c> / <c>-Reset</c> (and the <c>X-RateLimit-*</c>,
    /// <c>RateLimit-*</c> spellings). A lower limit replaces the bucket; no requests remaining pauses the class until reset.
    /// </summary>
    public void Observe(string endpointClass, HttpResponseHeaders headers, BudgetTicket ticket = default)
    {
        if (!_buckets.TryGetValue(endpointClass, out var bucket))
        {
            return;
        }

        var limit = ReadNumber(headers, "Limit");
        if (limit is > 0 && limit < bucket.Limit)
        {
            var lowered = NewBucket((int)limit.Value, bucket.Window);
            lowered.PausedUntil = bucket.PausedUntil;
            // The old limiter is disposed only with the budget: its queued waiters finish on it rather than failing.
            _retired.Add(bucket);
            _buckets[endpointClass] = lowered;
            bucket = lowered;
        }

        var remaining = ReadNumber(headers, "Remaining");
        var reset = ReadNumber(headers, "Reset");
        if (remaining is null || reset is not > 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        // Reset is either seconds from now or a Unix time; anything past 2001 in seconds is read as a time.
        var until = reset.Value > 1_000_000_000
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(reset.Value * 1000))
            : now + TimeSpan.FromSeconds(reset.Value);
        if (until - now >= TimeSpan.FromHours(1))
        {
            return;
        }

        // An answer older than one already seen says nothing new: the requests it counted have been counted again since.
        var newest = ticket.Sequence <= 0 || bucket.Window.Observe(ticket.Sequence, (long)Math.Max(0, remaining.Value), until);
        if (newest && remaining <= 0 && until > bucket.PausedUntil)
        {
            bucket.PausedUntil = until;
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
        foreach (var bucket in _buckets.Values.Concat(_retired))
        {
            bucket.Dispose();
        }
    }

#pragma warning disable CA2000 // the bucket owns its limiter and disposes it (RateBudget.Dispose)
    private Bucket NewBucket(int limitPerMinute, ServerWindow? window = null) => new(limitPerMinute, CreateLimiter(limitPerMinute), window);
#pragma warning restore CA2000

    /// <summary>How a bucket of <paramref name="limitPerMinute"/> at <paramref name="scale"/> refills: tokens each period.</summary>
    internal static (int TokensPerPeriod, TimeSpan Period) Refill(int limitPerMinute, double scale)
    {
        // 2% slack per token: arrival jitter on the server must not put limit+1 requests into one of its windows.
        var perToken = TimeSpan.FromMinutes(1).Ticks / scale / limitPerMinute * 1.02;

        // The limiter's replenishment timer cannot tick faster than about a millisecond: a shorter period (a BudgetScale in
        // the thousands) never refilled the bucket at all. Below MinimumPeriod, several tokens arrive per tick instead, and
        // the bucket holds at least one tick's worth so that none of them is lost.
        var tokensPerPeriod = (int)Math.Max(1, Math.Ceiling(MinimumPeriod.Ticks / perToken));
        return (tokensPerPeriod, TimeSpan.FromTicks((long)Math.Ceiling(perToken * tokensPerPeriod)));
    }

    private TokenBucketRateLimiter CreateLimiter(int limitPerMinute)
    {
        var (tokensPerPeriod, period) = Refill(limitPerMinute, _scale);
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

    private sealed class Bucket(int limit, TokenBucketRateLimiter limiter, ServerWindow? window = null) : IDisposable
    {
        public int Limit { get; } = limit;
        public TokenBucketRateLimiter Limiter { get; } = limiter;

        /// <summary>The server's own count, kept across a lowered limit's new bucket.</summary>
        public ServerWindow Window { get; } = window ?? new ServerWindow();

        private long _pausedUntilTicks = DateTimeOffset.MinValue.UtcTicks;

        public DateTimeOffset PausedUntil
        {
            get => new(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _pausedUntilTicks, value.UtcTicks);
        }

        public void Dispose() => Limiter.Dispose();
    }

    /// <summary>
    /// What the latest answer said of the server's current window (requests remaining, when it resets) and which request
    /// it answered: every request sent after that one counts against the remainder until the reset.
    /// </summary>
    private sealed class ServerWindow
    {
        private static readonly TimeSpan ResetResolution = TimeSpan.FromSeconds(1);

        private readonly Lock _gate = new();
        private long _sent;
        private long _observedSequence;
        private long _remaining = long.MaxValue;
        private DateTimeOffset _reset = DateTimeOffset.MinValue;

        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>
        /// Claims the next place when the window has room (or has reset); otherwise says when it opens, and gives a task
        /// that completes when a newer answer arrives.
        /// </summary>
        public bool TryClaim(DateTimeOffset now, out long sequence, out DateTimeOffset openAt, out Task changed)
        {
            lock (_gate)
            {
                changed = _changed.Task;
                if (now >= _reset)
                {
                    _remaining = long.MaxValue;
                }

                if (_remaining != long.MaxValue && _sent - _observedSequence >= _remaining)
                {
                    (sequence, openAt) = (0, _reset);
                    return false;
                }

                (sequence, openAt) = (++_sent, now);
                return true;
            }
        }

        /// <summary>
        /// Keeps the most recent answer: a later request's, or the first of a new window. A reset given in whole seconds
        /// from now moves by up to a second between two answers of one window, so only a later reset beyond that is a new
        /// window. Returns whether the answer was kept.
        /// </summary>
        public bool Observe(long sequence, long remaining, DateTimeOffset reset)
        {
            lock (_gate)
            {
                if (sequence < _observedSequence && reset <= _reset + ResetResolution)
                {
                    return false;
                }

                (_observedSequence, _remaining, _reset) = (sequence, remaining, reset);
                _changed.TrySetResult();
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return true;
            }
        }
    }
}

/// <summary>A request's leave to go: whether it waited for the budget, and its place in its endpoint class's sequence.</summary>
public readonly record struct BudgetTicket(bool Waited, long Sequence);
