using MessageSync.Core.Model;

namespace MessageSync.Core.Engine;

/// <summary>
/// The circuit per system (DESIGN.md, "Failures"): credentials refused (401/403) pause the system; its pollers skip and its
/// consumers wait, so changes stay queued instead of failing. The pause is retried with a growing delay up to
/// <see cref="MaxDelay"/>, and clears on the first success.
/// </summary>
public sealed class SystemPause(TimeProvider time)
{
    public static readonly TimeSpan InitialDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<SystemId, (DateTimeOffset Until, TimeSpan Delay, string Reason)> _paused = [];

    public bool IsPaused(SystemId system, out string reason)
    {
        lock (_gate)
        {
            if (_paused.TryGetValue(system, out var state) && state.Until > time.GetUtcNow())
            {
                reason = state.Reason;
                return true;
            }
        }

        reason = "";
        return false;
    }

    /// <summary>Systems paused now, with why (for health and status).</summary>
    public IReadOnlyDictionary<SystemId, string> Paused
    {
        get
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                return _paused.Where(p => p.Value.Until > now).ToDictionary(p => p.Key, p => p.Value.Reason);
            }
        }
    }

    /// <returns>How long the system is paused for.</returns>
    public TimeSpan Pause(SystemId system, string reason)
    {
        lock (_gate)
        {
            var delay = _paused.TryGetValue(system, out var state) ? TimeSpan.FromTicks(Math.Min(state.Delay.Ticks * 2, MaxDelay.Ticks)) : InitialDelay;
            _paused[system] = (time.GetUtcNow() + delay, delay, reason);
            return delay;
        }
    }

    public void Resume(SystemId system)
    {
        lock (_gate)
        {
            _paused.Remove(system);
        }
    }

    /// <summary>Waits until the system's pause has run out (then the caller tries again).</summary>
    public async Task WaitWhilePausedAsync(SystemId system, CancellationToken cancellationToken)
    {
        while (true)
        {
            DateTimeOffset until;
            lock (_gate)
            {
                if (!_paused.TryGetValue(system, out var state) || state.Until <= time.GetUtcNow())
                {
                    return;
                }

                until = state.Until;
            }

            var wait = until - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }
}
