using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Simulators;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// The pieces of one chaos scenario, ready to use: the simulators over real HTTP in this process (they outlive every
/// worker kill), the links created in them, the worker as a real process (started and ready), the ledger and the
/// workload writing into it. <see cref="FinishAsync"/> waits until everything has settled, stops the worker gracefully,
/// verifies, and saves the report and the worker's log under <see cref="RepoPaths.ChaosResults"/>.
/// </summary>
public sealed class ChaosSession : IAsyncDisposable
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly ITestOutputHelper? _output;

    private ChaosSession(ChaosScenario scenario, SimulatorHost sims, IReadOnlyList<ChaosLink> links, ChaosWorker worker, string folder, ITestOutputHelper? output)
    {
        Scenario = scenario;
        Sims = sims;
        Links = links;
        Worker = worker;
        Folder = folder;
        _output = output;
        Ledger = new Ledger(links);
        Workload = new Workload(sims, Ledger, scenario.Workload, scenario.Seed) { KnownToWorker = KnownToWorkerAsync };
        Figures = new ChaosFigures { Scenario = scenario.Name, Seed = scenario.Seed, Links = links.Count };
    }

    /// <summary>The worker's snapshot has a row for the copy: it wrote and recorded it, or read it back with its marker.</summary>
    private async Task<bool> KnownToWorkerAsync(string linkId, SystemId system, string externalId, CancellationToken cancellationToken)
    {
        using var store = Worker.OpenStore();
        return (await store.GetSnapshotAsync(linkId, system, [externalId], cancellationToken)).ContainsKey(externalId);
    }

    public ChaosScenario Scenario { get; }

    public SimulatorHost Sims { get; }

    public IReadOnlyList<ChaosLink> Links { get; }

    public ChaosWorker Worker { get; }

    /// <summary>Holds the worker's state file and log, and the report.</summary>
    public string Folder { get; }

    public Ledger Ledger { get; }

    public Workload Workload { get; }

    public ChaosFigures Figures { get; }

    /// <summary>Findings the verifier cannot see in the final state (the worker crashed, the run never settled).</summary>
    public List<Finding> Findings { get; } = [];

    public static async Task<ChaosSession> StartAsync(ChaosScenario scenario, ChaosBroker? broker, ITestOutputHelper? output)
    {
        var folder = Path.Combine(RepoPaths.ChaosResults, $"{scenario.Name}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        var sims = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            RateLimits = RateLimitMode.Scaled, RateLimitScale = scenario.RateLimitScale, StripUnknownHtml = scenario.StripUnknownHtml,
        });
        var links = ChaosLink.Mix(scenario.Links);
        foreach (var link in links)
        {
            link.CreateIn(sims);
        }

        var settings = WorkerSettings.For(sims, links, "", scenario.RateLimitScale, scenario.ReconcileInterval);
        if (scenario.RabbitMq)
        {
            var b = broker ?? throw new ArgumentNullException(nameof(broker), "a RabbitMQ scenario needs the chaos broker");
            settings.AddRange(RabbitMqBroker.Settings(await b.UrlAsync()));
            await b.DeleteSyncQueuesAsync();
        }

        var session = new ChaosSession(scenario, sims, links, new ChaosWorker(folder, settings), folder, output);
        await session.Worker.StartAndWaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        return session;
    }

    public Task<SimState> ReadStateAsync() => SimState.ReadAsync(Sims.PylonUrl, Sims.HelpdeskUrl, Sims.CordUrl);

    /// <summary>
    /// Waits until the three systems have not changed and every detected change has been applied (or recorded) for
    /// <see cref="ChaosScenario.QuietPeriod"/>: the worker has read everything since the last person's action at least
    /// twice over, so whatever is still wrong will stay wrong. A worker that died on its own is restarted (and reported).
    /// A worker still working through its backlog (a system changed, or fewer changes wait than ever before) is given
    /// time, however slow the machine; one that makes no progress for <see cref="ChaosScenario.StallTimeout"/>, or has
    /// not settled after <see cref="ChaosScenario.SettleLimit"/>, is stuck.
    /// </summary>
    public async Task SettleAsync()
    {
        using var store = Worker.OpenStore();
        var clock = Stopwatch.StartNew();
        string? fingerprint = null;
        var quietSince = TimeSpan.Zero;
        var progressAt = TimeSpan.Zero;
        var unapplied = 0;
        var fewest = int.MaxValue;
        while (clock.Elapsed < Scenario.SettleLimit && clock.Elapsed - progressAt < Scenario.StallTimeout)
        {
            Worker.EnsureRunning();
            var state = await ReadStateAsync();
            unapplied = (await store.ListUnappliedChangesAsync()).Count;
            if (state.Fingerprint != fingerprint || unapplied < fewest)
            {
                progressAt = clock.Elapsed;
                fewest = Math.Min(fewest, unapplied);
            }

            if (state.Fingerprint != fingerprint || unapplied > 0)
            {
                fingerprint = state.Fingerprint;
                quietSince = clock.Elapsed;
            }
            else if (clock.Elapsed - quietSince >= Scenario.QuietPeriod)
            {
                return;
            }

            await Task.Delay(500);
        }

        var why = clock.Elapsed >= Scenario.SettleLimit
            ? $"did not settle within {Scenario.SettleLimit.TotalSeconds:0} s"
            : $"made no progress for {Scenario.StallTimeout.TotalSeconds:0} s ({clock.Elapsed.TotalSeconds:0} s into settling)";
        Findings.Add(new(FindingKind.Stuck, "the run", $"{why} ({unapplied} change(s) not yet applied everywhere)"));
    }

    /// <summary>
    /// A kill placed exactly between a remote write and the worker's record of it: arms a hold on
    /// <paramref name="endpointKey"/>, lets <paramref name="trigger"/> cause the write, waits until the write has taken
    /// effect with its answer held, SIGKILLs the worker, lets the answer go to nobody, runs <paramref name="whileDown"/>
    /// (what people do before the worker is back), and starts the worker again.
    /// </summary>
    public async Task KillDuringWriteAsync(SimulatorBase simulator, string endpointKey, Func<Task> trigger, Func<Task>? whileDown = null)
    {
        var hold = simulator.HoldNextResponse(endpointKey);
        await trigger();
        try
        {
            var path = await hold.Reached.WaitAsync(TimeSpan.FromSeconds(90));
            Worker.Log.Note($"the write {path} ({endpointKey}) took effect and its answer is held: SIGKILL now");
            Worker.Kill();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The worker never wrote to {endpointKey} within 90 s.\n{Worker.Log.Tail(60)}");
        }
        finally
        {
            hold.Release();
        }

        if (whileDown is not null)
        {
            await whileDown();
        }

        Worker.Start();
    }

    /// <summary>Waits until the worker's state store shows <paramref name="message"/> redacted or deleted (the worker has seen it).</summary>
    public async Task WaitUntilWorkerSeesRemovalAsync(LedgerMessage message, TimeSpan timeout)
    {
        using var store = Worker.OpenStore();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await CanonicalIdAsync(store, message) is { } id
                && await store.GetMessageAsync(id) is { } canonical
                && (message.Removal == Removal.Redacted ? canonical.RedactedAt : canonical.DeletedAt) is not null)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The worker did not see {message} {message.Removal} within {timeout.TotalSeconds:0} s.\n{Worker.Log.Tail(40)}");
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> until no detected change of <paramref name="message"/> is still waiting for
    /// <paramref name="target"/> (applied, skipped or recorded there); false when some still is.
    /// </summary>
    public async Task<bool> WaitUntilHandledAsync(LedgerMessage message, SystemId target, TimeSpan timeout)
    {
        using var store = Worker.OpenStore();
        var clock = Stopwatch.StartNew();
        var id = await CanonicalIdAsync(store, message);
        while (clock.Elapsed < timeout)
        {
            if (!(await store.ListUnappliedChangesAsync()).Any(c => c.Message.CanonicalId == id && !c.AppliedTargets.Contains(target)))
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    /// <summary>The canonical id the worker gave <paramref name="message"/> (from its origin's snapshot row); null before it saw it.</summary>
    private static async Task<Guid?> CanonicalIdAsync(StateStore store, LedgerMessage message) =>
        (await store.GetSnapshotAsync(message.Link.Id, message.Origin)).TryGetValue(message.OriginExternalId, out var row) ? row.CanonicalId : null;

    /// <summary>The live copy of <paramref name="message"/> in <paramref name="system"/> (the original there, or the worker's copy).</summary>
    public async Task<SimCopy> CopyAsync(LedgerMessage message, SystemId system)
    {
        var state = await ReadStateAsync();
        var conversation = Expectations.Conversation(message.Link, system);
        return state.CopiesOf(message.Id).FirstOrDefault(c => c.System == system && c.Conversation == conversation && c.Live && !c.EditNote)
            ?? throw new InvalidOperationException($"{message} has no live copy in {system}");
    }

    /// <summary>Settles, stops the worker gracefully, verifies, and saves the report.</summary>
    public async Task<ChaosOutcome> FinishAsync()
    {
        Worker.Log.Note("settling");
        var settle = Stopwatch.StartNew();
        await SettleAsync();
        Figures.SettleSeconds = settle.Elapsed.TotalSeconds;

        var exit = await Worker.StopAsync();
        if (exit is not (0 or WorkerProcess.SigTermExit))
        {
            Findings.Add(new(FindingKind.WorkerCrash, "the worker", $"a graceful stop (SIGTERM) ended with exit code {exit}"));
        }

        Findings.AddRange(Worker.UnexpectedExits.Select(code => new Finding(FindingKind.WorkerCrash, "the worker", $"exited on its own with code {code}")));
        foreach (var (setting, value) in Worker.Secrets)
        {
            // BRIEF: no token is ever logged, whatever happened to the worker.
            if (Worker.Log.LinesContaining(value) is > 0 and var lines)
            {
                Findings.Add(new(FindingKind.Leak, "the worker's log", $"the value of {setting} appears on {lines} line(s) of {Worker.Log.Path}"));
            }
        }

        var state = await ReadStateAsync();
        WorkerStateView view;
        using (var store = Worker.OpenStore())
        {
            view = await WorkerStateView.ReadAsync(store, Ledger);
        }

        var verdict = Verifier.Verify(Ledger, state, view);
        var report = new VerificationReport([.. verdict.Findings, .. Findings], verdict.ReportedUnpropagatedRedactions, verdict.ReportedUnpropagatedCopies,
            verdict.ReportedUndeletableCopies, verdict.OpenOutcomes) { ReportedHeldDeletions = verdict.ReportedHeldDeletions };
        FillFigures(state);
        report.Figures = Figures;
        return Save(report);
    }

    private void FillFigures(SimState state)
    {
        var messages = Ledger.Messages;
        Figures.Messages = messages.Count;
        foreach (var g in messages.GroupBy(m => m.Origin.ToString()))
        {
            Figures.MessagesByOrigin[g.Key] = g.Count();
        }

        foreach (var g in messages.GroupBy(m => m.Kind.ToString()))
        {
            Figures.MessagesByKind[g.Key] = g.Count();
        }

        Figures.Attachments = messages.Count(m => m.HasAttachment);
        Figures.Edits = messages.Sum(m => m.Edits.Count);
        Figures.Redactions = messages.Count(m => m.Removal == Removal.Redacted);
        Figures.Deletions = messages.Count(m => m.Removal == Removal.Deleted);
        Figures.Kills = Worker.Kills;
        Figures.Starts = Worker.Starts;
        Figures.PylonRateLimited = state.PylonRateLimited;
        Figures.WorkerErrorLines = Worker.Log.ErrorLines;
        Figures.WallSeconds = _wall.Elapsed.TotalSeconds;
    }

    private ChaosOutcome Save(VerificationReport report)
    {
        var text = report.ToText();
        Directory.CreateDirectory(RepoPaths.ChaosResults);
        var json = report.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(Folder, "report.txt"), text);
        File.WriteAllText(Path.Combine(Folder, "report.json"), json);
        File.WriteAllText(Path.Combine(RepoPaths.ChaosResults, Scenario.Name + ".txt"), text);
        File.WriteAllText(Path.Combine(RepoPaths.ChaosResults, Scenario.Name + ".json"), json);
        _output?.WriteLine(text);
        _output?.WriteLine($"worker folder (state file, log): {Folder}");
        return new ChaosOutcome(report, Folder, Worker.Log.Tail(80));
    }

    public async ValueTask DisposeAsync()
    {
        Workload.Dispose();
        Worker.Dispose();
        await Sims.DisposeAsync();
    }
}

/// <summary>A run's report, the folder with the worker's state file and log, and the log's tail for a failure message.</summary>
public sealed record ChaosOutcome(VerificationReport Report, string Folder, string LogTail)
{
    /// <summary>Fails with the whole report, the folder and the worker's last lines unless the run is clean.</summary>
    public void AssertClean()
    {
        if (!Report.Clean)
        {
            Assert.Fail($"{Report.ToText(perKind: 20)}\nworker folder (state file, full log): {Folder}\n{LogTail}");
        }

        // The state file and log of a clean run are not kept (the report is).
        foreach (var file in Directory.EnumerateFiles(Folder).Where(f => !Path.GetFileName(f).StartsWith("report", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }
    }
}
