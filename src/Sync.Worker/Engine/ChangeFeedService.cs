using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Engine;

/// <summary>
/// Reads a system's change feed (<see cref="IChangeFeed"/>) every <c>Sync:Polling:Feeds:Interval</c> and hints the linked
/// conversations it names to the poll scheduler, which reads them before anything due by the clock. Runs beside the
/// system's poll loop in the process that owns the system (<see cref="Ownership.OwnedWork"/>), so only the owner reads the
/// feed, and through the same adapter budgets (the feed's endpoint has its own class: a read never takes a poll's token).
/// A feed that fails changes nothing else: the conversations are polled on their own intervals, as without a feed.
/// </summary>
public sealed partial class ChangeFeedService(
    IEnumerable<IChangeFeed> feeds, ILinkProvider links, PollScheduler scheduler, SystemPause pause, SyncSettings settings, TimeProvider time,
    ILogger<ChangeFeedService> logger)
{
    private readonly Dictionary<SystemId, IChangeFeed> _feeds = feeds.ToDictionary(f => f.System);

    /// <summary>True when <paramref name="system"/> has a change feed.</summary>
    public bool Has(SystemId system) => _feeds.ContainsKey(system);

    /// <summary>Reads <paramref name="system"/>'s feed until cancelled; returns at once when it has none.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "a feed only hints the polls: a failed read is logged once and tried again next round, the polls go on")]
    public async Task RunAsync(SystemId system, CancellationToken cancellationToken)
    {
        if (!_feeds.TryGetValue(system, out var feed))
        {
            return;
        }

        var window = new FeedWindow();
        var failing = false;
        var truncated = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var options = settings.Current.Polling.Feeds;
            try
            {
                if (options.Enabled)
                {
                    await pause.WaitWhilePausedAsync(system, cancellationToken);
                    var read = await ReadOnceAsync(system, feed, window, options, cancellationToken);
                    if (failing)
                    {
                        LogRecovered(logger, system);
                        failing = false;
                    }

                    if (read is { Complete: false } && !truncated)
                    {
                        LogTruncated(logger, system, read.Requests);
                    }

                    truncated = read is { Complete: false };
                }
                else
                {
                    window = new FeedWindow(); // switched back on later: start afresh
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (!failing)
                {
                    LogFailed(logger, system, ex.Message);
                    failing = true;
                }
            }

            try
            {
                await Task.Delay(options.Enabled ? options.Interval : TimeSpan.FromSeconds(2), time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One read of the feed: the conversations it names are hinted. Null when no link names the system.</summary>
    internal async Task<FeedRead?> ReadOnceAsync(SystemId system, IChangeFeed feed, FeedWindow window, FeedOptions options, CancellationToken cancellationToken)
    {
        var current = await links.GetLinksAsync(cancellationToken);
        var conversations = current.Select(l => l.ConversationId(system)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (conversations.Count == 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var since = window.Since(now, options.Overlap);
        var read = await feed.ReadAsync(since, conversations, cancellationToken);
        var active = window.Apply(read, since, now, conversations, feed.Fingerprints);
        foreach (var conversation in active)
        {
            scheduler.Hint(system, conversation, current);
        }

        if (active.Count > 0)
        {
            LogHinted(logger, system, active.Count, conversations.Count, read.Requests);
        }

        return read;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{System} change feed: {Active} of {Linked} linked conversation(s) changed, polled next ({Requests} request(s))")]
    private static partial void LogHinted(ILogger logger, SystemId system, int active, int linked, int requests);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {System} change feed could not be read; its conversations are polled on their own intervals until it answers again: {Reason}")]
    private static partial void LogFailed(ILogger logger, SystemId system, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {System} change feed answers again")]
    private static partial void LogRecovered(ILogger logger, SystemId system);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {System} change feed has more pages than one read takes ({Requests}); what it did not reach is found by polling alone (raise the feed's page size or page cap)")]
    private static partial void LogTruncated(ILogger logger, SystemId system, int requests);
}
