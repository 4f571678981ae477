using MessageSync.Core.State;
using MessageSync.Simulators;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests;

/// <summary>
/// "Several processes, one truth" (DESIGN.md) with real processes: workers and a backfill started as the operator starts
/// them, one of them killed with SIGKILL, the three APIs played by the simulators in this process, the state on the
/// PostgreSQL and the bus on the RabbitMQ that <c>scripts/test.sh</c> starts. Checked through the simulators' own state and
/// request counters: every message exactly once in every other system, 0 × 429 summed over all processes.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class SeveralProcessesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Takeover = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("messagesync-procs-").FullName;
    private readonly List<WorkerProcess> _processes = [];

    private static readonly (string Id, string Issue, string Ticket, string Thread)[] Conversations =
    [
        ("link-a", "iss_a", "tkt_a", "th_a"),
        ("link-b", "iss_b", "tkt_b", "th_b"),
    ];

    [Fact]
    public async Task Two_workers_and_a_backfill_on_PostgreSQL_and_RabbitMQ_mirror_every_message_once_within_budget_and_a_SIGKILLed_owner_is_replaced()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var sims = await StartSimulatorsAsync();
        var shared = Settings(sims, [.. RabbitMqBroker.Settings(), .. database.Settings()]);

        var first = Start("worker-1", ["run", .. shared]);
        await first.WaitForLineAsync(l => l.Contains("Took lease system:pylon", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var second = Start("worker-2", ["run", .. shared]);
        var words = AddEveryKind(sims, "before");

        var backfill = Start("backfill", ["backfill", "--timeout", "00:01:00", .. shared]);
        Assert.True(await backfill.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, "backfill beside two workers exits 0:\n" + string.Join('\n', _processes.Select(p => p.Tail(25))));
        await WaitUntilEveryWordIsEverywhereOnceAsync(sims, words, TimeSpan.FromSeconds(90));

        // Kill the owner of Pylon, the system with the tightest budget, while new messages arrive.
        using var store = new StateStore(new PostgresDialect(database.ConnectionString));
        var owner = (await store.ListLeasesAsync()).Single(l => l.Name == "system:pylon");
        var (victim, survivor) = owner.Owner.Contains($"/{first.Id}-", StringComparison.Ordinal) ? (first, second) : (second, first);
        var killedAt = DateTimeOffset.UtcNow;
        victim.Kill();
        words.AddRange(AddEveryKind(sims, "after"));

        var (tookAt, _) = await survivor.WaitForLineAsync(l => l.Contains("Took lease system:pylon", StringComparison.Ordinal) && l.Contains("(generation 2)", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var takeover = tookAt - killedAt;
        output.WriteLine($"takeover of system:pylon after SIGKILL: {takeover.TotalSeconds:0.0} s (limit {Takeover.TotalSeconds:0} s)");
        Assert.True(takeover < Takeover, $"the survivor took over after {takeover.TotalSeconds:0.0} s");

        await WaitUntilEveryWordIsEverywhereOnceAsync(sims, words, TimeSpan.FromSeconds(120));
        AssertNoRateLimitAnywhere(sims);
        Assert.DoesNotContain(await store.ListOutcomesAsync(includeResolved: true), o => o.Kind is OutcomeKind.Faulted or OutcomeKind.Parked);
    }

    [Fact]
    public async Task On_SQLite_a_second_run_is_refused_and_the_first_keeps_syncing()
    {
        await using var sims = await StartSimulatorsAsync();
        var statePath = Path.Combine(_folder, "data", "sync.db");
        var shared = Settings(sims, [$"Sync:State:Path={statePath}"]);
        var first = Start("worker-1", ["run", .. shared]);
        await first.WaitForLineAsync(l => l.Contains("Took lease relay", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        var second = Start("worker-2", ["run", .. shared]);
        var exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exit);
        var refusal = Assert.Single(second.Lines, l => l.Line.Contains("Another MessageSync run is already using the state file", StringComparison.Ordinal)).Line;
        Assert.Contains(statePath, refusal, StringComparison.Ordinal);
        Assert.Contains("Sync:State:Provider=Postgres", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(second.Lines, l => l.Line.Contains("   at ", StringComparison.Ordinal));

        var status = Start("status", ["status", "--json", $"--Sync:State:Path={statePath}"]);
        Assert.Equal(0, await status.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        var words = AddEveryKind(sims, "beside");
        await WaitUntilEveryWordIsEverywhereOnceAsync(sims, words, TimeSpan.FromSeconds(90));
        Assert.False(first.HasExited);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private WorkerProcess Start(string name, IEnumerable<string> args)
    {
        var process = WorkerProcess.Start(name, _folder, args);
        _processes.Add(process);
        return process;
    }

    private static async Task<SimulatorHost> StartSimulatorsAsync()
    {
        var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = SyncHarness.Speed });
        foreach (var (_, issue, ticket, thread) in Conversations)
        {
            sims.Pylon.CreateIssue(issue, "contact_ana", "ana@example.com", "Ana Ruiz");
            sims.Helpdesk.CreateTicket(ticket);
            sims.Cord.CreateThread(thread, "Support", "https://app.example.com/t/" + thread, "group_1");
        }

        return sims;
    }

    private static string[] Settings(SimulatorHost sims, IEnumerable<string> extra) =>
    [
        .. SyncHarness.WorkerSettings(sims),
        .. Conversations.SelectMany((c, i) => SyncHarness.LinkSettings(i, c.Id, c.Issue, c.Ticket, c.Thread)),
        "--Sync:Http:Urls=http://127.0.0.1:0",
        "--Sync:Logging:MinimumLevel=Information",
        .. extra.Select(s => s.StartsWith("--", StringComparison.Ordinal) ? s : "--" + s),
    ];

    /// <summary>One message of every kind in every system of every link; returns their unique words.</summary>
    private static List<string> AddEveryKind(SimulatorHost sims, string round)
    {
        var words = new List<string>();
        foreach (var (id, issue, ticket, thread) in Conversations)
        {
            string W(string what)
            {
                var word = $"{round}-{id}-{what}";
                words.Add(word);
                return word;
            }

            sims.Pylon.AddMessage(issue, SimMessageKind.Customer, $"<p>{W("pylon-customer")}</p>");
            sims.Pylon.AddMessage(issue, SimMessageKind.Agent, $"<p>{W("pylon-agent")}</p>", "Dana Agent", "dana@example.com");
            sims.Pylon.AddMessage(issue, SimMessageKind.InternalNote, $"<p>{W("pylon-note")}</p>", "Dana Agent", "dana@example.com");
            sims.Helpdesk.AddMessage(ticket, SimMessageKind.Customer, $"<p>{W("helpdesk-request")}</p>", "customer_1");
            sims.Helpdesk.AddMessage(ticket, SimMessageKind.Agent, $"<p>{W("helpdesk-response")}</p>", "agent_1");
            sims.Helpdesk.AddMessage(ticket, SimMessageKind.InternalNote, $"<p>{W("helpdesk-note")}</p>", "agent_1");
            sims.Cord.AddMessage(thread, "agent_cord", W("cord-comment"));
        }

        return words;
    }

    private async Task WaitUntilEveryWordIsEverywhereOnceAsync(SimulatorHost sims, IReadOnlyList<string> words, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var wrong = Counts(sims, words).Where(c => c.Count != 1).ToList();
            if (wrong.Count == 0)
            {
                return;
            }

            // A duplicate never heals: fail at once. A missing copy may still be on its way.
            var doubled = wrong.Where(c => c.Count > 1).ToList();
            if (doubled.Count > 0 || DateTimeOffset.UtcNow > deadline)
            {
                var processes = string.Join('\n', _processes.Select(p => p.Tail(15)));
                Assert.Fail($"{wrong.Count} copies wrong ({doubled.Count} doubled), e.g. {string.Join(", ", wrong.Take(8).Select(c => $"{c.Word} in {c.System}: {c.Count}"))}\n{processes}");
            }

            await Task.Delay(250);
        }
    }

    private static IEnumerable<(string Word, string System, int Count)> Counts(SimulatorHost sims, IReadOnlyList<string> words)
    {
        foreach (var word in words)
        {
            var (_, issue, ticket, thread) = Conversations.Single(c => word.Contains($"-{c.Id}-", StringComparison.Ordinal));
            yield return (word, "pylon", sims.Pylon.GetMessages(issue).Count(m => !m.Deleted && m.MessageHtml.Contains(word, StringComparison.Ordinal)));
            yield return (word, "helpdesk", sims.Helpdesk.GetMessages(ticket).Count(m => m.Content.Contains(word, StringComparison.Ordinal)));
            yield return (word, "cord", sims.Cord.GetMessages(thread).Count(m => m.DeletedTimestamp is null && m.Plaintext.Contains(word, StringComparison.Ordinal)));
        }
    }

    private void AssertNoRateLimitAnywhere(SimulatorHost sims)
    {
        var stats = sims.Pylon.EndpointKeys.Select(k => ("pylon " + k, sims.Pylon.GetStats(k)))
            .Concat(sims.Helpdesk.EndpointKeys.Select(k => ("helpdesk " + k, sims.Helpdesk.GetStats(k))))
            .Concat(sims.Cord.EndpointKeys.Select(k => ("cord " + k, sims.Cord.GetStats(k))))
            .ToList();
        output.WriteLine(string.Join('\n', stats.Select(s => $"{s.Item1}: {s.Item2.Requests} request(s), {s.Item2.RateLimited} x 429")));
        Assert.All(stats, s => Assert.Equal(0, s.Item2.RateLimited));
    }
}
