using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Engine;

/// <summary>
/// One polling loop per system. Loops are independent so a slow or paused system never delays another; within a system,
/// the adapter's token buckets pace the reads and <see cref="PollScheduler"/> picks what to read next.
/// </summary>
public sealed partial class PollingService(
    ConversationPoller poller, ILinkProvider links, PollScheduler scheduler, SystemPause pause, SyncSettings settings,
    ILogger<PollingService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enum.GetValues<SystemId>().Where(poller.Supports).Select(system => Task.Run(() => LoopAsync(system, stoppingToken), stoppingToken)));

    private async Task LoopAsync(SystemId system, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await pause.WaitWhilePausedAsync(system, stoppingToken);
                var current = await links.GetLinksAsync(stoppingToken);
                var polling = settings.Current.Polling;
                var (link, full, wait) = scheduler.Next(system, current, new PollingSettings(polling.ActiveInterval, polling.IdleInterval, polling.ActiveWindow, polling.ReconcileInterval));
                if (link is null)
                {
                    // Re-read links at least every few seconds so a configuration reload or `links add` is picked up.
                    await scheduler.WaitAsync(system, wait < TimeSpan.FromSeconds(5) ? wait : TimeSpan.FromSeconds(5), stoppingToken);
                    continue;
                }

                await PollOneAsync(link, system, full, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogLoopFailed(logger, system, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task PollOneAsync(ConversationLink link, SystemId system, bool full, CancellationToken stoppingToken)
    {
        try
        {
            var result = await poller.PollAsync(link, system, full, stoppingToken);
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
