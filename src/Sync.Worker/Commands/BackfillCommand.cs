using System.CommandLine;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;
using Serilog;

namespace MessageSync.Worker.Commands;

/// <summary>
/// <c>backfill</c>: walks the whole history of all (or some) links, applies every change, and exits 0 once caught up;
/// 1 when a conversation could not be read or a change faulted, 3 when the time limit ran out, 2 for an unknown
/// <c>--link</c> (<see cref="ExitCodes"/>). The Kubernetes CronJob.
/// </summary>
public static class BackfillCommand
{
    public static Command Create(VerbContext context)
    {
        var linkIds = new Option<string[]>("--link") { Description = "Only this link (repeatable). Default: every link.", HelpName = "ID" };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "Give up (exit 3) when not caught up by then.",
            HelpName = "hh:mm:ss",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(30),
            CustomParser = ToolOutput.PositiveTimeSpan,
        };
        var command = new Command("backfill", "Sync the whole history of all or some links, then exit (0 when caught up).");
        var json = ToolOutput.JsonOption();
        command.Options.Add(linkIds);
        command.Options.Add(timeout);
        command.Options.Add(json);
        command.SetAction(parse => context.RunAsync(HostMode.Backfill,
            app => ExecuteAsync(app, parse.GetValue(linkIds) ?? [], parse.GetValue(timeout), parse.GetValue(json))));
        return command;
    }

    public static async Task<int> ExecuteAsync(WebApplication app, IReadOnlyCollection<string> only, TimeSpan timeout, bool json = false)
    {
        var known = (await app.Services.GetRequiredService<ILinkProvider>().GetLinksAsync(CancellationToken.None)).Select(l => l.Id).ToList();
        var unknown = UnknownLinks(only, known);
        if (unknown.Count > 0)
        {
            return ToolOutput.Refuse("backfill", unknown);
        }

        await app.StartAsync();
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            var result = await RunAsync(app.Services, only, timeout, app.Lifetime.ApplicationStopping);
            Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MessageSync.Backfill").Information("Backfill finished: {Summary}", result.Summary);
            if (json)
            {
                ToolOutput.Json(result.ToDocument(TimeProvider.System.GetElapsedTime(started)));
            }
            else
            {
                Console.WriteLine($"backfill {result.Result}: {result.Summary}");
            }

            return result.ExitCode;
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>A <c>--link</c> naming no configured or stored link is an error (with the nearest id), never an empty run.</summary>
    public static List<string> UnknownLinks(IEnumerable<string> only, IReadOnlyCollection<string> known) =>
        only.Distinct(StringComparer.Ordinal).Where(id => !known.Contains(id, StringComparer.Ordinal))
            .Select(id => $"no link has id '{id}'" + (Suggestions.Closest(id, known) is { } closest ? $"; did you mean '{closest}'?" : known.Count == 0 ? " (no link is configured or stored)" : ""))
            .ToList();

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
            return new BackfillResult(ExitCodes.Timeout, $"not caught up after {timeout}: {left} change(s) still pending")
            {
                Links = links.Count, ChangesDetected = changes, ReadFailures = readFailures, Pending = left,
            };
        }

        var faulted = (await store.ListOutcomesAsync(includeResolved: false, CancellationToken.None)).Count(o => o.Kind == OutcomeKind.Faulted && !faultedBefore.Contains(o.Id));
        var summary = $"{links.Count} link(s), {changes} change(s) detected, {readFailures} read failure(s), {faulted} faulted change(s)";
        return new BackfillResult(readFailures > 0 || faulted > 0 ? ExitCodes.Failure : ExitCodes.Ok, summary)
        {
            Links = links.Count, ChangesDetected = changes, ReadFailures = readFailures, Faulted = faulted,
        };
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

public sealed record BackfillResult(int ExitCode, string Summary)
{
    public int Links { get; init; }
    public int ChangesDetected { get; init; }
    public int ReadFailures { get; init; }
    public int Faulted { get; init; }
    public int Pending { get; init; }

    /// <summary>caughtUp, failed or timedOut: the word scripts and the summary line use.</summary>
    public string Result => ExitCode switch
    {
        ExitCodes.Ok => "caughtUp",
        ExitCodes.Timeout => "timedOut",
        _ => "failed",
    };

    public BackfillDocument ToDocument(TimeSpan elapsed) =>
        new(Result, ExitCode, Links, ChangesDetected, ReadFailures, Faulted, Pending, Math.Round(elapsed.TotalSeconds, 3), Summary);
}
