using MessageSync.Core.Model;
using MessageSync.Core.State;
using Microsoft.Extensions.Logging;

namespace MessageSync.Core.Engine;

/// <summary>
/// The circuit per system (DESIGN.md, "Failures"): credentials refused (401/403) pause the system; its pollers skip and its
/// consumers wait, so changes stay queued instead of failing. The pause is retried with a growing delay up to
/// <see cref="MaxDelay"/>, and clears on the first success. A change whose retries all met refused credentials is parked
/// (<see cref="CredentialsRefused"/>): <c>status</c>, <c>errors list</c> and <c>/metrics</c> show it, and it is sent again
/// by itself as soon as the system accepts our credentials again.
/// </summary>
public sealed partial class SystemPause(TimeProvider time, IStateStore store, OutboxSignal signal, ILogger<SystemPause> logger)
{
    public static readonly TimeSpan InitialDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);

    /// <summary>How the reason of a change parked for refused credentials begins: the parked outcomes replayed on resume.</summary>
    public const string CredentialsRefused = "credentials refused";

    private readonly Lock _gate = new();
    private readonly Dictionary<SystemId, (DateTimeOffset Until, TimeSpan Delay, string Reason, DateTimeOffset Since)> _paused = [];

    // Systems whose parked changes have been looked for since this process started: a restart after the credentials were
    // fixed replays what an earlier process parked.
    private readonly HashSet<SystemId> _checked = [];

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
            var now = time.GetUtcNow();
            var (delay, since) = _paused.TryGetValue(system, out var state)
                ? (TimeSpan.FromTicks(Math.Min(state.Delay.Ticks * 2, MaxDelay.Ticks)), state.Since)
                : (InitialDelay, now);
            _paused[system] = (now + delay, delay, reason, since);
            return delay;
        }
    }

    /// <summary>
    /// Called after every success with <paramref name="system"/>: clears a pause (one log line), and sends again the changes
    /// parked because the system refused our credentials. Costs nothing when the system was not paused.
    /// </summary>
    public async Task ResumeAsync(SystemId system, CancellationToken cancellationToken)
    {
        TimeSpan? pausedFor = null;
        bool firstCheck;
        lock (_gate)
        {
            if (_paused.Remove(system, out var state))
            {
                pausedFor = time.GetUtcNow() - state.Since;
            }

            firstCheck = _checked.Add(system);
        }

        if (pausedFor is { } duration)
        {
            LogResumed(system, duration.TotalSeconds);
        }

        if (pausedFor is null && !firstCheck)
        {
            return;
        }

        var parked = (await store.ListOutcomesAsync(includeResolved: false, cancellationToken))
            .Where(o => o.Target == system && o.Kind == OutcomeKind.Parked && o.Reason.StartsWith(CredentialsRefused, StringComparison.Ordinal))
            .ToList();
        foreach (var outcome in parked)
        {
            await store.ReplayOutcomeAsync(outcome.Id, cancellationToken);
        }

        if (parked.Count > 0)
        {
            LogReplayed(system, parked.Count);
            signal.Notify();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{System} accepts our credentials again after {PausedSeconds:0} s; reads and writes resume")]
    private partial void LogResumed(SystemId system, double pausedSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} change(s) parked while {System} refused our credentials are sent again")]
    private partial void LogReplayed(SystemId system, int count);
}
