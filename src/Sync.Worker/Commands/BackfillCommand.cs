using System.CommandLine;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Hosting;
using Serilog;

namespace MessageSync.Worker.Commands;

/// <summary>
/// <c>backfill</c>: walks the whole history of all (or some) links, applies every change, and exits 0 once caught up;
/// non-zero when a conversation could not be read, a change faulted, or the time limit ran out. The Kubernetes CronJob.
/// </summary>
public static class BackfillCommand
{
    public static Command Create()
    {
        var linkIds = new Option<string[]>("--link") { Description = "Only these link ids (repeatable). Default: every link.", AllowMultipleArgumentsPerToken = true };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "Give up (exit 3) when not caught up by then. Default 00:30:00.", DefaultValueFactory = _ => TimeSpan.FromMinutes(30) };
        var command = SyncCommandLine.Verb("backfill", "Sync the whole history of all or some links, then exit (0 when caught up).");
        command.Options.Add(linkIds);
        command.Options.Add(timeout);
        command.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Backfill,
            app => ExecuteAsync(app, parse.GetValue(linkIds) ?? [], parse.GetValue(timeout))));
        return command;
    }

    public static async Task<int> ExecuteAsync(WebApplication app, IReadOnlyCollection<string> only, TimeSpan timeout)
    {
        await app.StartAsync();
        try
        {
            var result = await RunAsync(app.Services, only, timeout, app.Lifetime.ApplicationStopping);
            Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MessageSync.Backfill").Information("Backfill finished: {Summary}", result.Summary);
            return result.ExitCode;
        }
        finally
        {
            await app.StopAsync();
        }
    }

    public static async Task<BackfillResult> RunAsync(IServiceProvider services, IReadOnlyCollection<string> only, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var store = services.GetRequiredService<IStateStore>();
        var poller = services.GetRequiredService<ConversationPoller>();
        var relay = services.GetRequiredService<OutboxRelay>();
        var links = (await services.GetRequiredService<ILinkProvider>().GetLinksAsync(limit.Token))
            .Where(l => only.Count == 0 || only.Contains(l.Id)).ToList();
        var faultedBefore = (await store.ListOutcomesAsync(includeResolved: true, limit.Token)).Where(o => o.Kind == OutcomeKind.Faulted).Select(o => o.Id).ToHashSet();

        int changes = 0, readFailures = 0;
        foreach (var link in links)
        {
            foreach (var system in link.Systems.Where(poller.Supports))
            {
                try
                {
                    changes += (await poller.PollAsync(link, system, fullScan: true, limit.Token)).Changes;
                }
                catch (MessageSync.Core.Ports.SyncException ex)
                {
                    readFailures++;
                    Log.Error("Backfill could not read link {LinkId} on {System}: {Reason}", link.Id, system, ex.Message);
                }
            }
        }

        // Caught up: nothing left to publish and every published change of these links applied (or recorded) in each target.
        try
        {
            while (true)
            {
                await relay.WaitForBusAsync(limit.Token);
                await relay.PublishPendingAsync(limit.Token);
                var pending = await PendingAsync(store, links, limit.Token);
                if (pending == 0)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var left = await PendingAsync(store, links, CancellationToken.None);
            return new BackfillResult(3, $"not caught up after {timeout}: {left} change(s) still pending");
        }

        var faulted = (await store.ListOutcomesAsync(includeResolved: false, CancellationToken.None)).Count(o => o.Kind == OutcomeKind.Faulted && !faultedBefore.Contains(o.Id));
        var summary = $"{links.Count} link(s), {changes} change(s) detected, {readFailures} read failure(s), {faulted} faulted change(s)";
        return new BackfillResult(readFailures > 0 || faulted > 0 ? 2 : 0, summary);
    }

    private static async Task<int> PendingAsync(IStateStore store, IReadOnlyList<ConversationLink> links, CancellationToken cancellationToken)
    {
        var byId = links.ToDictionary(l => l.Id);
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
}

public sealed record BackfillResult(int ExitCode, string Summary);
