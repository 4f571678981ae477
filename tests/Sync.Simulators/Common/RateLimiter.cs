namespace MessageSync.Simulators;

/// <summary>
/// Fixed one-minute windows (divided by the scale) per token and endpoint, on the injected clock.
/// Pylon documents per-endpoint limits per minute; a fixed window is the simplest reading that a
/// client respecting the limit can never trip.
/// </summary>
internal sealed class RateLimiter(SimulatorOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Token, string Endpoint), (long Window, int Used)> _windows = [];

    public bool Enabled => options.RateLimits != RateLimitMode.Off;

    public TimeSpan WindowLength => options.RateLimits == RateLimitMode.Scaled && options.RateLimitScale > 0
        ? TimeSpan.FromTicks((long)(TimeSpan.TicksPerMinute / options.RateLimitScale))
        : TimeSpan.FromMinutes(1);

    /// <summary>Counts one request; returns whether it is allowed, what remains and when the window resets.</summary>
    public RateDecision Acquire(string token, string endpoint, int limit)
    {
        var now = options.Time.GetUtcNow();
        var length = Math.Max(1, WindowLength.Ticks);
        var window = now.UtcTicks / length;
        var reset = new DateTimeOffset((window + 1) * length, TimeSpan.Zero);
        lock (_gate)
        {
            var key = (token, endpoint);
            var used = _windows.TryGetValue(key, out var w) && w.Window == window ? w.Used : 0;
            if (used >= limit)
            {
                return new RateDecision(false, limit, 0, reset, reset - now);
            }

            _windows[key] = (window, used + 1);
            return new RateDecision(true, limit, limit - used - 1, reset, reset - now);
        }
    }
}

internal readonly record struct RateDecision(bool Allowed, int Limit, int Remaining, DateTimeOffset Reset, TimeSpan RetryAfter);
