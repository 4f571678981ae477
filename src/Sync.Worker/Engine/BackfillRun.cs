using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Helpdesk;
using MessageSync.Adapters.Http;
using MessageSync.Adapters.Pylon;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Ownership;

namespace MessageSync.Worker.Engine;

/// <summary>
/// A backfill as a request (DESIGN.md, "Backfill is a request, not a second worker"): records which (link, system) pairs
/// to walk, lets the owners' pollers walk them (this process among them only when it holds a system's lease: with no worker
/// running it takes the free leases and does the work itself, under the same rules), follows their progress and waits until
/// every change of those links is applied in every target. Works the same on SQLite and PostgreSQL.
/// </summary>
public sealed partial class BackfillRun(
    IStateStore store, ILinkProvider links, ConversationPoller poller, ProcessIdentity identity, IServiceProvider services, TimeProvider time,
    ILogger<BackfillRun> logger)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    /// <summary>The links that exist, for refusing an unknown <c>--link</c> before anything is recorded.</summary>
    public async Task<IReadOnlyList<ConversationLink>> LinksAsync(CancellationToken cancellationToken) => await links.GetLinksAsync(cancellationToken);

    public async Task<BackfillOutcome> RunAsync(
        IReadOnlyList<ConversationLink> scope, bool dryRun, DateTimeOffset deadline, IProgress<BackfillSnapshot> progress, CancellationToken cancellationToken)
    {
        var pairs = scope.SelectMany(l => l.Systems.Where(poller.Supports).Select(s => (l.Id, s))).ToList();
        var faultedBefore = (await store.ListOutcomesAsync(includeResolved: true, cancellationToken)).Where(o => o.Kind == OutcomeKind.Faulted).Select(o => o.Id).ToHashSet();
        var requestId = await store.RequestBackfillAsync(identity.Id, pairs, dryRun, cancellationToken);
        LogRequested(logger, requestId, pairs.Count, scope.Count, dryRun);
        var started = time.GetUtcNow();

        while (true)
        {
            var rows = await store.GetBackfillAsync(requestId, cancellationToken);
            var walked = rows.All(r => r.State != BackfillState.Pending);
            var unapplied = dryRun || !walked ? (int?)null : await UnappliedAsync(scope, cancellationToken);
            var snapshot = new BackfillSnapshot(requestId, rows, unapplied, time.GetUtcNow() - started, Eta(rows, started));
            progress.Report(snapshot);
            if (walked && unapplied is null or 0)
            {
                var faulted = (await store.ListOutcomesAsync(includeResolved: false, CancellationToken.None))
                    .Count(o => o.Kind == OutcomeKind.Faulted && !faultedBefore.Contains(o.Id) && scope.Any(l => l.Id == o.LinkId));
                return new BackfillOutcome(snapshot, faulted, TimedOut: false);
            }

            if (time.GetUtcNow() >= deadline)
            {
                return new BackfillOutcome(snapshot with { Unapplied = await UnappliedAsync(scope, CancellationToken.None) }, 0, TimedOut: true);
            }

            await Task.Delay(Tick, time, cancellationToken);
        }
    }

    /// <summary>Changes of these links not yet applied (or recorded) in every target that must take them.</summary>
    private async Task<int> UnappliedAsync(IReadOnlyList<ConversationLink> scope, CancellationToken cancellationToken)
    {
        var byId = scope.ToDictionary(l => l.Id);
        var pending = 0;
        foreach (var change in await store.ListUnappliedChangesAsync(cancellationToken))
        {
            if (!byId.TryGetValue(change.Message.LinkId, out var link))
            {
                continue;
            }

            var expected = change.Message.Target is { } only ? [only] : link.Systems.Where(s => s != change.Message.Source);
            if (expected.Any(t => !change.AppliedTargets.Contains(t)))
            {
                pending++;
            }
        }

        return pending;
    }

    /// <summary>
    /// From the read budget: each system's remaining walks times the reads a walk took so far (at least one), at that
    /// system's budgeted reads a minute. The systems are read in parallel, so the slowest one decides.
    /// </summary>
    private TimeSpan? Eta(IReadOnlyList<BackfillProgress> rows, DateTimeOffset started)
    {
        var longest = TimeSpan.Zero;
        foreach (var system in rows.GroupBy(r => r.System))
        {
            var remaining = system.Count(r => r.State == BackfillState.Pending);
            if (remaining == 0)
            {
                continue;
            }

            var done = system.Where(r => r.State == BackfillState.Done).ToList();
            var readsPerWalk = done.Count == 0 ? 1 : Math.Max(1, done.Average(r => r.Pages));
            var perMinute = services.GetKeyedService<RateBudget>(system.Key)?.RateOf(ReadClass(system.Key));
            var eta = perMinute is > 0
                ? TimeSpan.FromMinutes(remaining * readsPerWalk / perMinute.Value)
                : done.Count > 0 ? (time.GetUtcNow() - started) / done.Count * remaining : (TimeSpan?)null;
            if (eta is null)
            {
                return null;
            }

            longest = eta.Value > longest ? eta.Value : longest;
        }

        return longest;
    }

    private static string ReadClass(SystemId system) => system switch
    {
        SystemId.Pylon => PylonOptions.Endpoints.ListMessages,
        SystemId.Helpdesk => HelpdeskOptions.Endpoints.List,
        _ => CordOptions.Endpoints.List,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill request {RequestId}: {Pairs} conversation(s) of {Links} link(s) to walk{DryRunNote}")]
    private static partial void LogRequested(ILogger logger, long requestId, int pairs, int links, string dryRunNote);

    private static void LogRequested(ILogger logger, long requestId, int pairs, int links, bool dryRun) =>
        LogRequested(logger, requestId, pairs, links, dryRun ? " (dry run: nothing is written)" : "");
}

/// <summary>Where a backfill stands.</summary>
/// <param name="Unapplied">Changes of the backfilled links not yet applied everywhere; null until every walk is done (or in a dry run).</param>
public sealed record BackfillSnapshot(long RequestId, IReadOnlyList<BackfillProgress> Rows, int? Unapplied, TimeSpan Elapsed, TimeSpan? Eta)
{
    public int Walked => Rows.Count(r => r.State != BackfillState.Pending);

    public int Failed => Rows.Count(r => r.State == BackfillState.Failed);

    public long Changes => Rows.Sum(r => r.Changes);

    public long Messages => Rows.Sum(r => r.Messages);
}

public sealed record BackfillOutcome(BackfillSnapshot Last, int Faulted, bool TimedOut);
