using MessageSync.Core.Engine;
using MessageSync.Core.State;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Engine;

/// <summary>
/// Retention (<c>Sync:Retention</c>, issue 13.2): every <c>Interval</c>, asks the store to forget what serves neither
/// idempotency nor recovery (<see cref="IStateStore.PruneAsync"/>). Runs under the relay lease
/// (<see cref="Ownership.OwnedWork"/>), so with several processes on one database only one prunes. A pass that fails is
/// logged and tried again at the next interval: retention never stops the sync.
/// </summary>
public sealed partial class RetentionService(IStateStore store, SyncSettings settings, SyncMetrics metrics, TimeProvider time, ILogger<RetentionService> logger)
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "pruning is housekeeping: a failed round is logged and tried again at the next interval")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var options = settings.Current.Retention;
            if (options.Enabled)
            {
                try
                {
                    await PruneOnceAsync(options, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogFailed(logger, ex.Message);
                }
            }

            try
            {
                await Task.Delay(options.Interval, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass with <paramref name="options"/>.</summary>
    public async Task<PruneResult> PruneOnceAsync(RetentionOptions options, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = await store.PruneAsync(
            new RetentionCutoffs(now - options.AppliedChanges, now - options.ClosedOutcomes, now - options.DeletedMessageText, options.BatchSize),
            cancellationToken);
        metrics.Pruned("outbox", result.Outbox);
        metrics.Pruned("applied_changes", result.AppliedChanges);
        metrics.Pruned("outcomes", result.Outcomes);
        metrics.Pruned("message_texts", result.MessageTexts);
        if (result.Total > 0)
        {
            LogPruned(logger, result.Outbox, result.AppliedChanges, result.Outcomes, result.MessageTexts);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Outbox} outbox row(s), {Applied} applied-change record(s), {Outcomes} closed outcome(s) and the text of {Texts} deleted message(s)")]
    private static partial void LogPruned(ILogger logger, long outbox, long applied, long outcomes, long texts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention could not run; it tries again at the next interval: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
