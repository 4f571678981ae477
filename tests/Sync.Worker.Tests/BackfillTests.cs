using System.Text.Json;
using MessageSync.Simulators;

namespace MessageSync.Worker.Tests;

/// <summary><c>backfill</c> as the CronJob runs it, against the simulators: the dry run, the time limit and the progress lines.</summary>
public sealed class BackfillTests : IAsyncLifetime, IDisposable
{
    private const int Speed = 60;
    private readonly WorkerFolder _worker = new();
    private SimulatorHost _sims = null!;

    public async Task InitializeAsync()
    {
        _sims = await SimulatedSystems.StartOneLinkAsync(Speed);
        for (var i = 0; i < 3; i++)
        {
            _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, $"<p>history {i}</p>");
        }
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_be_written_per_link_and_system_and_writes_nothing()
    {
        var dry = await Backfill("--create", "--dry-run");

        Assert.True(dry.ExitCode == 0 && dry.Stdout.Contains("pylon: 3 message(s) read, would write 3 created", StringComparison.Ordinal), dry.ToString());
        Assert.Contains("link-1 pylon: 3 message(s) read, would write 3 created", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("link-1 helpdesk: 0 message(s) read, would write nothing", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("link-1 cord: 0 message(s) read, would write nothing", dry.Stdout, StringComparison.Ordinal);
        Assert.Empty(_sims.Helpdesk.GetMessages("tkt_1"));
        Assert.Empty(_sims.Cord.GetMessages("th_1"));

        // Nothing was taken as done either: the real backfill afterwards writes the whole history.
        var real = await Backfill();

        Assert.True(real.ExitCode == 0, real.ToString());
        Assert.Equal(3, _sims.Helpdesk.GetMessages("tkt_1").Count(m => m.Content.Contains("history", StringComparison.Ordinal)));
        Assert.Equal(3, _sims.Cord.GetMessages("th_1").Count(m => m.Plaintext.Contains("history", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_time_limit_is_honoured_within_5_seconds_with_exit_3_and_progress_is_logged_with_an_ETA()
    {
        // Pylon's page never comes back: without the limit the backfill would wait for it.
        var hold = _sims.Pylon.HoldNextResponse(PylonSimulator.ListMessages);
        try
        {
            var result = await Backfill("--create", "--timeout", "00:00:03", "--json");

            Assert.True(result.ExitCode == 3, result.ToString());
            using var document = JsonDocument.Parse(result.Stdout);
            Assert.Equal("timedOut", document.RootElement.GetProperty("result").GetString());
            var elapsed = document.RootElement.GetProperty("elapsedSeconds").GetDouble();
            Assert.True(elapsed < 3 + 5, $"backfill took {elapsed:0.0} s with --timeout 00:00:03\n{result}");
            // Not a terminal: the progress is a log line (stderr) with counts and an ETA from the read budget.
            var progress = result.Stderr.Split('\n').FirstOrDefault(l => l.Contains("conversation(s)", StringComparison.Ordinal) && l.Contains("ETA ", StringComparison.Ordinal));
            Assert.True(progress is not null, result.ToString());
            Assert.Matches(@"walked \d/3 conversation\(s\), \d+ message\(s\) read, \d+ change\(s\), \? to apply, 0 failed, ETA (\d\d:\d\d:\d\d|unknown)", progress);
        }
        finally
        {
            hold.Release();
        }
    }

    [Fact]
    public async Task A_backfill_stopped_by_SIGTERM_before_it_is_done_exits_130()
    {
        var hold = _sims.Pylon.HoldNextResponse(PylonSimulator.ListMessages);
        try
        {
            using var backfill = new RunningWorker(_worker.Start(Arguments("--create")));
            await hold.Reached.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(130, await backfill.TerminateAsync());
            Assert.Contains(backfill.Lines, l => l.Contains("Stopped before the work was done", StringComparison.Ordinal));
        }
        finally
        {
            hold.Release();
        }
    }

    private Task<WorkerResult> Backfill(params string[] args) => _worker.RunAsync(Arguments(args));

    private string[] Arguments(params string[] args) =>
    [
        "backfill", .. args, $"--Sync:State:Path={_worker.StatePath}", "--Sync:Http:Urls=http://127.0.0.1:0",
        .. SimulatedSystems.Settings(_sims, Speed),
        "--Sync:Links:0:Id=link-1", "--Sync:Links:0:PylonIssueId=iss_1", "--Sync:Links:0:HelpdeskTicketId=tkt_1", "--Sync:Links:0:CordThreadId=th_1",
    ];

    public async Task DisposeAsync() => await _sims.DisposeAsync();

    public void Dispose() => _worker.Dispose();
}
