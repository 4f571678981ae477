using System.CommandLine;
using System.Globalization;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Options;
using Serilog;
using Spectre.Console;

namespace MessageSync.Worker.Commands;

/// <summary>
/// <c>backfill</c>: asks the owners of the systems to walk the whole history of all (or some) links (<see cref="BackfillRun"/>),
/// follows their progress, and exits 0 once every change is applied everywhere; 1 when a conversation could not be read or
/// a change faulted, 3 when not caught up within <c>--timeout</c>, 2 for an unknown <c>--link</c> or a missing SQLite state
/// (<see cref="ExitCodes"/>). Beside a running worker it only follows; with none running it does the work itself, under the
/// same leases. The Kubernetes CronJob.
/// </summary>
public static class BackfillCommand
{
    /// <summary>How long the host may take to stop once the work is over: <c>--timeout</c> is honoured within 5 s.</summary>
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(3);

    public static Command Create(VerbContext context)
    {
        var linkIds = new Option<string[]>("--link") { Description = "Only this link (repeatable). Default: every link.", HelpName = "ID" };
        var timeout = ToolOutput.TimeoutOption("Give up (exit 3) when not caught up by then.", TimeSpan.FromMinutes(30));
        var dryRun = new Option<bool>("--dry-run") { Description = "Read every conversation and report what would be written per link and system; write nothing." };
        var create = new Option<bool>("--create") { Description = "SQLite: start a new state file when Sync:State:Path does not exist (otherwise an error)." };
        var command = new Command("backfill", "Sync the whole history of all or some links, then exit (0 when caught up).");
        var json = ToolOutput.JsonOption();
        command.Options.Add(linkIds);
        command.Options.Add(timeout);
        command.Options.Add(dryRun);
        command.Options.Add(create);
        command.Options.Add(json);
        command.SetAction(parse => context.RunAsync(HostMode.Backfill, app => ExecuteAsync(
            app, parse.GetValue(linkIds) ?? [], parse.GetValue(timeout), parse.GetValue(json), parse.GetValue(dryRun), parse.GetValue(create))));
        return command;
    }

    public static async Task<int> ExecuteAsync(
        WebApplication app, IReadOnlyCollection<string> only, TimeSpan timeout, bool json = false, bool dryRun = false, bool create = false)
    {
        // The time limit counts from the command's start, the host's start-up included: the operator's clock, not ours.
        var started = TimeProvider.System.GetTimestamp();
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        var state = app.Services.GetRequiredService<IOptions<StateStoreOptions>>().Value;
        if (state.Provider == StateProvider.Sqlite && !create && !File.Exists(state.Path))
        {
            return ToolOutput.Refuse("backfill", [$"Sync:State:Path: '{Path.GetFullPath(state.Path)}' does not exist; backfill works on an existing state (--create starts a new one)"]);
        }

        var known = (await app.Services.GetRequiredService<BackfillRun>().LinksAsync(CancellationToken.None)).Select(l => l.Id).ToList();
        var unknown = UnknownLinks(only, known);
        if (unknown.Count > 0)
        {
            return ToolOutput.Refuse("backfill", unknown);
        }

        if (dryRun)
        {
            app.Services.GetRequiredService<EngineRole>().ReadOnly();
        }

        await app.StartAsync();
        BackfillResult result;
        try
        {
            result = await RunAsync(app.Services, only, timeout, app.Lifetime.ApplicationStopping, dryRun, showBar: !json && !Console.IsOutputRedirected, deadline);
        }
        finally
        {
            using var stop = new CancellationTokenSource(StopBudget);
            await app.StopAsync(stop.Token);
        }

        if (json)
        {
            ToolOutput.Json(result.ToDocument(TimeProvider.System.GetElapsedTime(started)));
        }
        else
        {
            foreach (var line in result.Report)
            {
                Console.WriteLine(line);
            }

            Console.WriteLine($"backfill {result.Result}: {result.Summary}");
        }

        return result.ExitCode;
    }

    /// <summary>A <c>--link</c> naming no configured or stored link is an error (with the nearest id), never an empty run.</summary>
    public static List<string> UnknownLinks(IEnumerable<string> only, IReadOnlyCollection<string> known) =>
        only.Distinct(StringComparer.Ordinal).Where(id => !known.Contains(id, StringComparer.Ordinal))
            .Select(id => $"no link has id '{id}'" + (Suggestions.Closest(id, known) is { } closest ? $"; did you mean '{closest}'?" : known.Count == 0 ? " (no link is configured or stored)" : ""))
            .ToList();

    /// <summary>Requests the backfill, follows it to the end and says how it went (the host must be started).</summary>
    public static async Task<BackfillResult> RunAsync(
        IServiceProvider services, IReadOnlyCollection<string> only, TimeSpan timeout, CancellationToken cancellationToken, bool dryRun = false, bool showBar = false,
        DateTimeOffset? deadline = null)
    {
        var log = Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MessageSync.Backfill");
        var run = services.GetRequiredService<BackfillRun>();
        var until = deadline ?? TimeProvider.System.GetUtcNow() + timeout;
        var scope = (await run.LinksAsync(cancellationToken)).Where(l => only.Count == 0 || only.Contains(l.Id)).ToList();
        var outcome = await FollowAsync(run, scope, dryRun, until, showBar, cancellationToken);
        var last = outcome.Last;
        var report = dryRun
            ? last.Rows.Select(r => $"{r.LinkId} {r.System.ToString().ToLowerInvariant()}: " + r.State switch
            {
                BackfillState.Done => $"{r.Messages} message(s) read, would write {r.Summary}",
                BackfillState.Failed => $"could not be read: {r.Summary}",
                _ => "not read before the time limit",
            }).ToList()
            : [];
        var summary = $"{scope.Count} link(s), {last.Walked}/{last.Rows.Count} conversation(s) walked, {last.Changes} change(s) detected, " +
            $"{last.Failed} read failure(s), {outcome.Faulted} faulted change(s), {last.Unapplied ?? 0} not yet applied";
        foreach (var failed in last.Rows.Where(r => r.State == BackfillState.Failed))
        {
            log.Error("Backfill could not read link {LinkId} on {System}: {Reason}", failed.LinkId, failed.System, failed.Summary);
        }

        var code = outcome.TimedOut ? ExitCodes.Timeout : last.Failed > 0 || outcome.Faulted > 0 ? ExitCodes.Failure : ExitCodes.Ok;
        if (outcome.TimedOut)
        {
            log.Error("Backfill not caught up after {Timeout}: {Summary}", timeout, summary);
        }
        else
        {
            log.Information("Backfill finished: {Summary}", summary);
        }

        return new BackfillResult(code, summary)
        {
            Links = scope.Count,
            ChangesDetected = (int)last.Changes,
            ReadFailures = last.Failed,
            Faulted = outcome.Faulted,
            Pending = last.Unapplied ?? last.Rows.Count - last.Walked,
            Report = report,
        };
    }

    /// <summary>A progress bar on a terminal; otherwise (a CronJob's log, on stderr) one line every few seconds.</summary>
    private static async Task<BackfillOutcome> FollowAsync(
        BackfillRun run, IReadOnlyList<ConversationLink> scope, bool dryRun, DateTimeOffset deadline, bool showBar, CancellationToken cancellationToken)
    {
        if (showBar && AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
                .StartAsync(async context =>
                {
                    var walk = context.AddTask("backfill");
                    var bar = new InlineProgress(s =>
                    {
                        walk.MaxValue = Math.Max(1, s.Rows.Count);
                        walk.Value = s.Walked;
                        walk.Description = Markup.Escape(Describe(s));
                    });
                    return await run.RunAsync(scope, dryRun, deadline, bar, cancellationToken);
                });
        }

        var log = Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MessageSync.Backfill");
        var lastLine = DateTimeOffset.MinValue;
        var lines = new InlineProgress(snapshot =>
        {
            var now = TimeProvider.System.GetUtcNow();
            if (now - lastLine >= TimeSpan.FromSeconds(5))
            {
                lastLine = now;
                log.Information("Backfill {RequestId}: {Progress}", snapshot.RequestId, Describe(snapshot));
            }
        });
        return await run.RunAsync(scope, dryRun, deadline, lines, cancellationToken);
    }

    private static string Describe(BackfillSnapshot s) =>
        $"walked {s.Walked}/{s.Rows.Count} conversation(s), {s.Messages} message(s) read, {s.Changes} change(s), " +
        $"{(s.Unapplied is { } left ? left.ToString(CultureInfo.InvariantCulture) : "?")} to apply, {s.Failed} failed, " +
        $"ETA {(s.Eta is { } eta ? eta.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "unknown")}";

    /// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> would post to the thread pool, out of order).</summary>
    private sealed class InlineProgress(Action<BackfillSnapshot> report) : IProgress<BackfillSnapshot>
    {
        public void Report(BackfillSnapshot value) => report(value);
    }
}

public sealed record BackfillResult(int ExitCode, string Summary)
{
    public int Links { get; init; }
    public int ChangesDetected { get; init; }
    public int ReadFailures { get; init; }
    public int Faulted { get; init; }
    public int Pending { get; init; }

    /// <summary>Lines for stdout before the summary (the dry run's report per link and system).</summary>
    public IReadOnlyList<string> Report { get; init; } = [];

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
