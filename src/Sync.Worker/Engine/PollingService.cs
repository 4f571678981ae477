using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Engine;

/// <summary>
/// The polling loop of one system, run by the process that holds the system's lease (<see cref="Ownership.OwnershipService"/>).
/// Loops are independent so a slow or paused system never delays another; within a system, the adapter's token buckets pace
/// the reads, requested backfills come first, and <see cref="PollScheduler"/> picks what to read next. Every commit is fenced
/// by the lease: once another process has taken the system over, this loop's commits are refused and the loop ends.
/// </summary>
public sealed partial class PollingService(
    ConversationPoller poller, ILinkProvider links, PollScheduler scheduler, SystemPause pause, SyncSettings settings, IStateStore store,
    ILogger<PollingService> logger)
{
    public async Task RunAsync(SystemId system, LeaseFence fence, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await pause.WaitWhilePausedAsync(system, stoppingToken);
                var current = await links.GetLinksAsync(stoppingToken);
                if (await BackfillOneAsync(system, current, fence, stoppingToken))
                {
                    continue;
                }

                var polling = settings.Current.Polling;
                var (link, full, wait) = scheduler.Next(system, current, new PollingSettings(polling.ActiveInterval, polling.IdleInterval, polling.ActiveWindow, polling.ReconcileInterval));
                if (link is null)
                {
                    // Re-read links and backfill requests at least every few seconds so a reload, `links add` or `backfill` is picked up.
                    await scheduler.WaitAsync(system, wait < TimeSpan.FromSeconds(2) ? wait : TimeSpan.FromSeconds(2), stoppingToken);
                    continue;
                }

                await PollOneAsync(link, system, full, fence, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (LeaseLostException)
            {
                throw; // another process owns this system now: stop at once
            }
            catch (Exception ex)
            {
                LogLoopFailed(logger, system, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Walks one (link, system) a backfill asked for, if any is pending; true when it did.</summary>
    private async Task<bool> BackfillOneAsync(SystemId system, IReadOnlyList<ConversationLink> current, LeaseFence fence, CancellationToken stoppingToken)
    {
        var pending = await store.PendingBackfillAsync(system, stoppingToken);
        if (pending.Count == 0)
        {
            return false;
        }

        var work = pending[0];
        var link = current.FirstOrDefault(l => l.Id == work.LinkId);
        if (link?.ConversationId(system) is null)
        {
            await store.RecordBackfillAsync(work with { State = BackfillState.Failed, Summary = $"link {work.LinkId} names no {system} conversation (any more)" }, stoppingToken);
            return true;
        }

        try
        {
            if (work.DryRun)
            {
                var (result, wouldWrite) = await poller.PreviewAsync(link, system, stoppingToken);
                var summary = wouldWrite.Count == 0 ? "nothing to write" : string.Join(", ", wouldWrite.OrderBy(w => w.Key).Select(w => $"{w.Value} {w.Key.ToString().ToLowerInvariant()}"));
                await store.RecordBackfillAsync(work with { State = BackfillState.Done, Pages = result.Pages, Messages = result.Messages, Changes = result.Changes, Summary = summary }, stoppingToken);
            }
            else
            {
                var result = await poller.PollAsync(link, system, fullScan: true, stoppingToken, fence);
                scheduler.Polled(link.Id, system, result.FullScan, result.Changes);
                await store.RecordBackfillAsync(work with { State = BackfillState.Done, Pages = result.Pages, Messages = result.Messages, Changes = result.Changes }, stoppingToken);
            }
        }
        catch (SyncException ex) when (ex is not AuthenticationException)
        {
            LogPollFailed(logger, link.Id, system, 0, ex.Message);
            await store.RecordBackfillAsync(work with { State = BackfillState.Failed, Summary = ex.Message }, stoppingToken);
        }

        return true;
    }

    private async Task PollOneAsync(ConversationLink link, SystemId system, bool full, LeaseFence fence, CancellationToken stoppingToken)
    {
        try
        {
            var result = await poller.PollAsync(link, system, full, stoppingToken, fence);
            scheduler.Polled(link.Id, system, result.FullScan, result.Changes);
            await pause.ResumeAsync(system, stoppingToken);
        }
        catch (AuthenticationException ex)
        {
            var delay = pause.Pause(system, ex.Message);
            scheduler.Failed(link.Id, system);
            LogPaused(logger, system, delay.TotalSeconds, ex.Message);
        }
        catch (SyncException ex)
        {
            var delay = scheduler.Failed(link.Id, system);
            LogPollFailed(logger, link.Id, system, delay.TotalSeconds, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{System} refused our credentials; reads and writes to it are paused for {PauseSeconds:0} s and its changes stay queued: {Reason}")]
    private static partial void LogPaused(ILogger logger, SystemId system, double pauseSeconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling link {LinkId} on {System} failed, trying again in {RetrySeconds:0} s: {Reason}")]
    private static partial void LogPollFailed(ILogger logger, string linkId, SystemId system, double retrySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {System} polling loop failed and restarts in 1 s: {Reason}")]
    private static partial void LogLoopFailed(ILogger logger, SystemId system, string reason);
}
