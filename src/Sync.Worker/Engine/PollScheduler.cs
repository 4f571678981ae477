using System.Collections.Concurrent;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;

namespace MessageSync.Worker.Engine;

/// <summary>
/// Decides which conversation of a system to poll next, inside that system's read budget (DESIGN.md, "Rate limits"):
/// hinted conversations (a webhook, a change feed) first, in the order they were hinted, then the one most overdue, where
/// recently active conversations fall due after <c>ActiveInterval</c> and idle ones after <c>IdleInterval</c>.
/// </summary>
/// <remarks>
/// Hints are served first come, first served: when hints arrive faster than the budget reads (a busy feed at 1,000 links),
/// every hinted conversation waits its turn, none waits for a quieter moment (issue 13: the links listed last waited up to
/// 37 s while the first ones were re-hinted). A hint is taken when its conversation is chosen, so one that arrives during
/// the poll is a new hint, never lost with the poll's.
/// </remarks>
public sealed class PollScheduler(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string LinkId, SystemId System), State> _states = new();
    private readonly ConcurrentDictionary<SystemId, WakeSignal> _wake = new();

    /// <summary>A webhook said this conversation changed: poll it next.</summary>
    public int Hint(SystemId system, string conversationId, IEnumerable<ConversationLink> links)
    {
        var hinted = 0;
        var now = time.GetUtcNow().UtcTicks;
        foreach (var link in links.Where(l => l.ConversationId(system) == conversationId))
        {
            // The earliest pending hint keeps its place in the queue.
            Interlocked.CompareExchange(ref Get(link.Id, system).HintedAt, now, 0);
            hinted++;
        }

        if (hinted > 0)
        {
            Wake(system);
        }

        return hinted;
    }

    /// <summary>Ask a system's poller to look again now (a link was added, a hint arrived).</summary>
    public void Wake(SystemId system) => _wake.GetOrAdd(system, _ => new WakeSignal()).Notify();

    public Task WaitAsync(SystemId system, TimeSpan timeout, CancellationToken cancellationToken) =>
        _wake.GetOrAdd(system, _ => new WakeSignal()).WaitAsync(timeout, cancellationToken);

    /// <summary>The next conversation due, or how long until one is.</summary>
    public (ConversationLink? Link, bool FullScan, TimeSpan Wait) Next(SystemId system, IReadOnlyList<ConversationLink> links, PollingSettings settings)
    {
        var now = time.GetUtcNow();
        ConversationLink? best = null;
        var bestDue = DateTimeOffset.MaxValue;
        var bestRank = int.MaxValue;
        foreach (var link in links.Where(l => l.ConversationId(system) is not null))
        {
            var state = Get(link.Id, system);
            var hintedAt = Volatile.Read(ref state.HintedAt);
            var hinted = hintedAt != 0;
            var active = state.LastActivity is { } at && now - at < settings.ActiveWindow;
            var due = hinted ? new DateTimeOffset(hintedAt, TimeSpan.Zero)
                : state.LastPoll is null ? DateTimeOffset.MinValue
                : state.LastPoll.Value + (active ? settings.ActiveInterval : settings.IdleInterval);
            due = state.BackoffUntil is { } backoff && backoff > due ? backoff : due;

            // Due and hinted first (the oldest hint), then due by the clock (the most overdue), then the earliest to fall
            // due: a hinted conversation still backing off after a failure holds up no other.
            var rank = due <= now ? (hinted ? 0 : 1) : 2;
            if (rank < bestRank || (rank == bestRank && due < bestDue))
            {
                best = link;
                bestDue = due;
                bestRank = rank;
            }
        }

        if (best is null)
        {
            return (null, false, settings.IdleInterval);
        }

        if (bestDue > now)
        {
            return (null, false, bestDue - now);
        }

        var chosen = Get(best.Id, system);
        Volatile.Write(ref chosen.HintedAt, 0); // the poll about to run reads what was hinted so far
        var full = chosen.LastFullScan is null || now - chosen.LastFullScan.Value >= settings.ReconcileInterval;
        return (best, full, TimeSpan.Zero);
    }

    public void Polled(string linkId, SystemId system, bool fullScan, int changes)
    {
        var state = Get(linkId, system);
        var now = time.GetUtcNow();
        state.LastPoll = now;
        state.BackoffUntil = null;
        state.Failures = 0;
        if (fullScan)
        {
            state.LastFullScan = now;
        }

        if (changes > 0)
        {
            state.LastActivity = now;
        }
    }

    /// <summary>A poll failed: try this conversation again later, with a growing delay, without holding up the others.</summary>
    public TimeSpan Failed(string linkId, SystemId system)
    {
        var state = Get(linkId, system);
        state.Failures++;
        var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, state.Failures), 300));
        state.BackoffUntil = time.GetUtcNow() + delay;
        state.LastPoll ??= time.GetUtcNow();
        return delay;
    }

    private State Get(string linkId, SystemId system) => _states.GetOrAdd((linkId, system), _ => new State());

    private sealed class State
    {
        /// <summary>When the pending hint arrived (UTC ticks); 0 when none is pending.</summary>
        public long HintedAt;
        public DateTimeOffset? LastPoll;
        public DateTimeOffset? LastActivity;
        public DateTimeOffset? LastFullScan;
        public DateTimeOffset? BackoffUntil;
        public int Failures;
    }
}

/// <summary>The polling intervals the scheduler works with (from <c>Sync:Polling</c>, current on every call).</summary>
public sealed record PollingSettings(TimeSpan ActiveInterval, TimeSpan IdleInterval, TimeSpan ActiveWindow, TimeSpan ReconcileInterval);
