using System.Diagnostics;
using MessageSync.Core.State;
using MessageSync.Simulators;
using Npgsql;

namespace MessageSync.Bench;

/// <summary>
/// Several processes on PostgreSQL + RabbitMQ (DESIGN.md, "Several processes"), the workers as real child processes:
/// pipeline throughput with one and with two <c>run</c> processes (rate limits off: the worker's own speed), and failover
/// time, from SIGKILL of the process owning Pylon to the first write into Pylon by the survivor.
/// </summary>
internal static class ProcessesBench
{
    private const int Links = 4;

    public static async Task RunAsync(int perSystemPerLink, string rabbitMq, string postgres, Action<Figure> report)
    {
        foreach (var processes in new[] { 1, 2 })
        {
            await using var run = await BenchRun.StartAsync(rabbitMq, postgres);
            run.Seed(perSystemPerLink);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < processes; i++)
            {
                run.StartWorker();
            }

            var writes = Links * perSystemPerLink * 3 * 2; // each message mirrored into the two other systems
            var done = await run.WaitUntilAsync(() => run.MirroredAll(perSystemPerLink), TimeSpan.FromMinutes(5));
            report(new Figure($"pipeline on PostgreSQL, {processes} process(es)", done ? writes / clock.Elapsed.TotalSeconds : 0, "writes/s",
                done ? $"{writes} mirrored writes, {Links} links, rate limits off, start-up included" : "not finished within 5 min"));

            if (processes == 2)
            {
                var owner = await run.PylonOwnerAsync();
                var killedAt = Stopwatch.GetTimestamp();
                owner.Kill(entireProcessTree: true);
                run.Sims.Helpdesk.AddMessage("tkt_0", SimMessageKind.Customer, "<p>failover probe</p>", "customer_b");
                var took = await run.WaitUntilAsync(() => run.Sims.Pylon.GetMessages("iss_0").Any(m => m.MessageHtml.Contains("failover probe", StringComparison.Ordinal)), TimeSpan.FromMinutes(2));
                report(new Figure("failover: SIGKILL of the Pylon owner to the survivor's first Pylon write", took ? Stopwatch.GetElapsedTime(killedAt).TotalSeconds : 0, "s",
                    "lease TTL 15 s, renewal every 5 s (defaults)"));
            }
        }
    }

    private sealed class BenchRun : IAsyncDisposable
    {
        private readonly string _server;
        private readonly string _database = "sync_bench_" + Guid.NewGuid().ToString("N");
        private readonly List<Process> _workers = [];
        private readonly string _rabbitMq;
        private readonly string _folder = Directory.CreateTempSubdirectory("ms-bench-procs-").FullName;

        private BenchRun(SimulatorHost sims, string server, string rabbitMq)
        {
            Sims = sims;
            _server = server;
            _rabbitMq = rabbitMq;
        }

        public SimulatorHost Sims { get; }

        private string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = _database }.ToString();

        public static async Task<BenchRun> StartAsync(string rabbitMq, string postgres)
        {
            var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off });
            var run = new BenchRun(sims, postgres, rabbitMq);
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {run._database}", connection);
            await create.ExecuteNonQueryAsync();
            return run;
        }

        public void Seed(int perSystemPerLink)
        {
            SimMessageKind[] kinds = [SimMessageKind.Customer, SimMessageKind.Agent, SimMessageKind.InternalNote];
            for (var l = 0; l < Links; l++)
            {
                Sims.Pylon.CreateIssue($"iss_{l}", "contact_b", "b@example.com", "Bench Customer");
                Sims.Helpdesk.CreateTicket($"tkt_{l}");
                Sims.Cord.CreateThread($"th_{l}", "Bench", "https://app.example.com/b", "group_b");
                for (var i = 0; i < perSystemPerLink; i++)
                {
                    Sims.Pylon.AddMessage($"iss_{l}", kinds[i % 3], $"<p>pylon {i}</p>");
                    Sims.Helpdesk.AddMessage($"tkt_{l}", kinds[i % 3], $"<p>helpdesk {i}</p>", "author_b");
                    Sims.Cord.AddMessage($"th_{l}", "cord_user", $"cord {i}");
                }
            }
        }

        public bool MirroredAll(int perSystemPerLink)
        {
            var total = perSystemPerLink * 3;
            return Enumerable.Range(0, Links).All(l =>
                Sims.Pylon.GetMessages($"iss_{l}").Count >= total && Sims.Helpdesk.GetMessages($"tkt_{l}").Count >= total && Sims.Cord.GetMessages($"th_{l}").Count >= total);
        }

        public void StartWorker()
        {
            var rabbit = new Uri(_rabbitMq);
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = _folder, RedirectStandardOutput = true, RedirectStandardError = true };
            string[] args =
            [
                Path.Combine(AppContext.BaseDirectory, "Sync.Worker.dll"), "run",
                "--Sync:State:Provider=Postgres", $"--Sync:State:ConnectionString={ConnectionString}",
                "--Sync:Transport=RabbitMQ", $"--Sync:RabbitMq:Host={rabbit.Host}", $"--Sync:RabbitMq:Port={rabbit.Port}",
                "--Sync:Http:Urls=http://127.0.0.1:0", "--Sync:Logging:MinimumLevel=Warning",
                "--Sync:Polling:ActiveInterval=00:00:00.200", "--Sync:Polling:IdleInterval=00:00:01", "--Sync:Polling:RelayInterval=00:00:00.100",
                $"--Sync:Pylon:BaseUrl={Sims.PylonUrl}", $"--Sync:Pylon:ApiToken={SimulatorDefaults.PylonToken}", "--Sync:Pylon:BudgetScale=1000",
                $"--Sync:Helpdesk:BaseUrl={Sims.HelpdeskUrl}", $"--Sync:Helpdesk:SessionToken={Sims.MintHelpdeskToken("agent", TimeSpan.FromHours(1))}",
                $"--Sync:Cord:BaseUrl={Sims.CordUrl}", $"--Sync:Cord:ApplicationId={SimulatorDefaults.CordAppId}", $"--Sync:Cord:Secret={SimulatorDefaults.CordSecret}",
                .. Enumerable.Range(0, Links).SelectMany(l => new[]
                {
                    $"--Sync:Links:{l}:Id=bench-{l}", $"--Sync:Links:{l}:PylonIssueId=iss_{l}", $"--Sync:Links:{l}:HelpdeskTicketId=tkt_{l}", $"--Sync:Links:{l}:CordThreadId=th_{l}",
                }),
            ];
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _workers.Add(process);
        }

        public async Task<Process> PylonOwnerAsync()
        {
            using var store = new StateStore(new PostgresDialect(ConnectionString));
            var owner = (await store.ListLeasesAsync()).Single(l => l.Name == "system:pylon").Owner;
            return _workers.Single(w => owner.Contains($"/{w.Id}-", StringComparison.Ordinal));
        }

        public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    return false;
                }

                await Task.Delay(50);
            }

            return true;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var worker in _workers.Where(w => !w.HasExited))
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }

            _workers.ForEach(w => w.Dispose());
            await Sims.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_server);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
