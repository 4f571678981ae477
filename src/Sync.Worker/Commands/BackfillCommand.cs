using System.CommandLine;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Hosting;
using Microsoft.Extensions.Options;
using Serilog;
using Spectre.Console;

namespace MessageSync.Worker.Commands;

/// <summary>
/// <c>backfill</c>: asks the owners of the systems to walk the whole history of all (or some) links (<see cref="BackfillRun"/>),
/// follows their progress, and exits 0 once every change is applied everywhere; 2 when a conversation could not be read
/// or a change faulted (or a <c>--link</c> is unknown), 3 when not caught up within <c>--timeout</c>. The Kubernetes CronJob.
/// </summary>
public static class BackfillCommand
{
    /// <summary>How long the host may take to stop after the timeout: <c>--timeout</c> is honoured within 5 s.</summary>
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(3);

    public static Command Create()
    {
        var linkIds = new Option<string[]>("--link") { Description = "Only these link ids (repeatable). Default: every link.", AllowMultipleArgumentsPerToken = true };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "Give up (exit 3) when not caught up by then. Default 00:30:00.", DefaultValueFactory = _ => TimeSpan.FromMinutes(30) };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read every conversation and report what would be written per link and system; write nothing." };
        var create = new Option<bool>("--create") { Description = "SQLite: create the state file when it does not exist (by default a missing file is an error)." };
        var command = SyncCommandLine.Verb("backfill", "Sync the whole history of all or some links, then exit (0 when caught up).");
        command.Options.Add(linkIds);
        command.Options.Add(timeout);
        command.Options.Add(dryRun);
        command.Options.Add(create);
        command.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Backfill,
            app => ExecuteAsync(app, parse.GetValue(linkIds) ?? [], parse.GetValue(timeout), parse.GetValue(dryRun), parse.GetValue(create))));
        return command;
    }

    public static async Task<int> ExecuteAsync(WebApplication app, IReadOnlyCollection<string> only, TimeSpan timeout, bool dryRun = false, bool create = false)
    {
        var log = Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MessageSync.Backfill");
        var state = app.Services.GetRequiredService<IOptions<StateStoreOptions>>().Value;
        if (state.Provider == StateProvider.Sqlite && !create && !File.Exists(state.Path))
        {
            log.Error("Sync:State:Path {Path} does not exist: backfill works on an existing state (pass --create to start a new one)", Path.GetFullPath(state.Path));
            return 2;
        }

        await app.StartAsync();
        BackfillResult result;
        try
        {
            result = await RunAsync(app.Services, only, timeout, app.Lifetime.ApplicationStopping, dryRun);
        }
        finally
        {
            using var stop = new CancellationTokenSource(StopBudget);
            await app.StopAsync(stop.Token);
        }

        foreach (var line in result.Report)
        {
            Console.WriteLine(line);
        }

        return result.ExitCode;
    }

    /// <summary>Requests the backfill, follows it to the end and says how it went (the host must be started).</summary>
    public static async Task<BackfillResult> RunAsync(
        IServiceProvider services, IReadOnlyCollection<string> only, TimeSpan timeout, CancellationToken cancellationToken, bool dryRun = false)
    {
        var log = Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MessageSync.Backfill");
        var run = services.GetRequiredService<BackfillRun>();
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        var known = await run.LinksAsync(cancellationToken);
        var unknown = only.Where(id => known.All(l => l.Id != id)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            var message = $"no link has id {string.Join(", ", unknown)}; known links: {string.Join(", ", known.Select(l => l.Id))}";
            log.Error("backfill: {Reason}", message);
            return new BackfillResult(2, message);
        }

        var scope = known.Where(l => only.Count == 0 || only.Contains(l.Id)).ToList();
        var outcome = await FollowAsync(run, scope, dryRun, deadline, cancellationToken);
        var last = outcome.Last;
        var report = dryRun
            ? last.Rows.Select(r => $"{r.LinkId} {r.System}: {r.State.ToString().ToLowerInvariant()}, {r.Messages} message(s) read, would write: {r.Summary ?? "-"}").ToList()
            : [];
        var summary = $"{scope.Count} link(s), {last.Walked}/{last.Rows.Count} conversation(s) walked, {last.Changes} change(s) detected, " +
            $"{last.Failed} read failure(s), {outcome.Faulted} faulted change(s), {last.Unapplied ?? 0} not yet applied";
        foreach (var failed in last.Rows.Where(r => r.State == BackfillState.Failed))
        {
            log.Error("Backfill could not read link {LinkId} on {System}: {Reason}", failed.LinkId, failed.System, failed.Summary);
        }

        if (outcome.TimedOut)
        {
            log.Error("Backfill not caught up after {Timeout}: {Summary}", timeout, summary);
            return new BackfillResult(3, summary) { Report = report };
        }

        log.Information("Backfill finished: {Summary}", summary);
        return new BackfillResult(last.Failed > 0 || outcome.Faulted > 0 ? 2 : 0, summary) { Report = report };
    }

    /// <summary>A progress bar on a terminal; otherwise (a CronJob's log) one line every few seconds.</summary>
    private static async Task<BackfillOutcome> FollowAsync(
        BackfillRun run, IReadOnlyList<Core.Model.ConversationLink> scope, bool dryRun, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var walk = context.AddTask("walking conversations");
                    var progress = new Progress<BackfillSnapshot>(s =>
                    {
                        walk.MaxValue = Math.Max(1, s.Rows.Count);
                        walk.Value = s.Walked;
                        walk.Description = $"walked {s.Walked}/{s.Rows.Count}, {s.Changes} change(s), {s.Unapplied?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} to apply" +
                            (s.Eta is { } eta ? $", ETA {eta:hh\\:mm\\:ss}" : "");
                    });
                    return await run.RunAsync(scope, dryRun, deadline, progress, cancellationToken);
                });
        }

        var log = Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MessageSync.Backfill");
        var lastLine = DateTimeOffset.MinValue;
        var lines = new InlineProgress(snapshot =>
        {
            var now = TimeProvider.System.GetUtcNow();
            if (now - lastLine < TimeSpan.FromSeconds(5))
            {
                return;
            }

            lastLine = now;
            log.Information(
                "Backfill {RequestId}: walked {Walked}/{Total} conversation(s), {Changes} change(s) detected, {Unapplied} not yet applied, {Failed} failed, ETA {Eta}",
                snapshot.RequestId, snapshot.Walked, snapshot.Rows.Count, snapshot.Changes, snapshot.Unapplied?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?",
                snapshot.Failed, snapshot.Eta?.ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
        });
        return await run.RunAsync(scope, dryRun, deadline, lines, cancellationToken);
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class InlineProgress(Action<BackfillSnapshot> report) : IProgress<BackfillSnapshot>
    {
        public void Report(BackfillSnapshot value) => report(value);
    }
}

public sealed record BackfillResult(int ExitCode, string Summary)
{
    /// <summary>Lines for stdout (the dry run's per link and system report).</summary>
    public IReadOnlyList<string> Report { get; init; } = [];
}
