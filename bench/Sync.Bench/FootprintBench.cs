using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dapper;
using MessageSync.Core.State;
using MessageSync.Simulators;
using Microsoft.Data.Sqlite;

namespace MessageSync.Bench;

/// <summary>
/// The worker's footprint with a large store (issue 13.3): <c>links x perLink</c> Pylon messages already mirrored into the
/// helpdesk and Cord, so twice as many mappings. The store is seeded directly (bulk SQL in one transaction, after the
/// project's own migrations) and the simulators hold the same messages under the same ids, so the worker finds nothing to
/// do but read: the figures are the start-up time of a real <c>run</c> process to <c>/readyz</c>, and its peak resident
/// set (VmHWM) after polling for a set time (10 s quick, 120 s full). The first read of a conversation adopts its 500
/// seeded snapshots (the costliest poll there is); how many conversations it reached is reported with the figure.
/// </summary>
internal static class FootprintBench
{
    public sealed record Footprint(TimeSpan Startup, double PeakRssMb, long Mappings, long Reads, long Polled, long Conversations);

    public static async Task<Footprint> RunAsync(int links, int perLink, TimeSpan pollFor)
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off });
        var folder = Directory.CreateTempSubdirectory("ms-bench-footprint-").FullName;
        var path = Path.Combine(folder, "sync.db");
        try
        {
            var seeding = Stopwatch.StartNew();
            var mappings = await SeedAsync(sims, path, links, perLink);
            Console.WriteLine($"(footprint: seeded in {seeding.Elapsed.TotalSeconds:0.0} s)");
            var port = ChildWorker.FreePort();
            using var worker = StartWorker(sims, path, port, links, folder);
            var startup = await ChildWorker.WaitReadyAsync(worker, port);

            // Polling for pollFor after ready: the first reads of every conversation (each adopts its seeded snapshot), then
            // the scheduled polls. How many (link, system) pairs it read is reported beside the figure.
            await Task.Delay(pollFor);
            var peak = ChildWorker.PeakRssKb(worker.Id) / 1024.0;
            var reads = Reads(sims);
            var polled = await PolledAsync(path);
            if (Written(sims) > 0)
            {
                throw new InvalidOperationException("the worker wrote into a simulator: the seeded store does not match the simulators");
            }

            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
            return new Footprint(startup, peak, mappings, reads, polled, 3L * links);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // A cursor row per (link, system) the worker has polled.
    private static async Task<long> PolledAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM cursors;");
    }

    private static long Reads(SimulatorHost sims) =>
        sims.Pylon.GetStats(PylonSimulator.ListMessages).Requests + sims.Helpdesk.GetStats(HelpdeskSimulator.List).Requests + sims.Cord.GetStats(CordSimulator.ListThread).Requests;

    private static long Written(SimulatorHost sims) =>
        sims.Pylon.GetStats(PylonSimulator.Reply).Requests + sims.Pylon.GetStats(PylonSimulator.Note).Requests
        + sims.Helpdesk.GetStats(HelpdeskSimulator.Create).Requests + sims.Cord.GetStats(CordSimulator.CreateKey).Requests;

    // The store as a worker that mirrored every Pylon message leaves it: the canonical message, the Pylon snapshot and,
    // per target, the mirror's snapshot and its mapping. Snapshot hashes are NULL, "a baseline we wrote ourselves", which the
    // first read adopts without a change (ChangeDetector), as after a real mirrored write.
    private const string MessageSql = """
        INSERT INTO messages (canonical_id, link_id, origin_system, origin_external_id, kind, author, body_html, body_text, attachments, created_at)
        VALUES (@Id, @Link, 'pylon', @External, 'customer_message', '{"name":"Bench Customer","email":"b@example.com"}', @Html, @Text, '[]', @Now);
        """;

    private const string SnapshotSql = """
        INSERT INTO snapshots (link_id, system, external_id, canonical_id, content_hash, updated_stamp, deleted, redacted, seen_at)
        VALUES (@Link, @System, @External, @Id, NULL, NULL, 0, 0, @Now);
        """;

    private const string MappingSql = """
        INSERT INTO mappings (canonical_id, system, external_id, target_kind, created_at) VALUES (@Id, @System, @External, 'customer_message', @Now);
        """;

    private static async Task<long> SeedAsync(SimulatorHost sims, string path, int links, int perLink)
    {
        using (var store = new StateStore(new SqliteDialect(path, TimeSpan.FromSeconds(30)), TimeProvider.System))
        {
            await store.InitializeAsync();
        }

        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        var now = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        // One prepared command per statement, parameters rebound per row: 350,000 rows in seconds.
        SqliteCommand Prepare(string sql, params string[] names)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var name in names)
            {
                command.Parameters.Add(new SqliteParameter(name, ""));
            }

            command.Prepare();
            return command;
        }

        using var message = Prepare(MessageSql, "@Id", "@Link", "@External", "@Html", "@Text", "@Now");
        using var snapshot = Prepare(SnapshotSql, "@Link", "@System", "@External", "@Id", "@Now");
        using var mapping = Prepare(MappingSql, "@Id", "@System", "@External", "@Now");
        async Task Run(SqliteCommand command, params object[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }

            await command.ExecuteNonQueryAsync();
        }

        long mappings = 0;
        for (var l = 0; l < links; l++)
        {
            sims.Pylon.CreateIssue($"iss_{l}", "contact_b", "b@example.com", "Bench Customer");
            sims.Helpdesk.CreateTicket($"tkt_{l}");
            sims.Cord.CreateThread($"th_{l}", "Bench", "https://app.example.com/b", "group_b");
            var link = $"link{l}";
            for (var i = 0; i < perLink; i++)
            {
                var text = $"footprint {l}/{i}: an ordinary support message about an export that fails";
                var pylon = sims.Pylon.AddMessage($"iss_{l}", SimMessageKind.Customer, $"<p>{text}</p>");
                var helpdesk = sims.Helpdesk.AddMessage($"tkt_{l}", SimMessageKind.Customer, $"<p>{text}</p>", "author_b");
                var cord = sims.Cord.AddMessage($"th_{l}", "bench_customer", text, $"cm_{l}_{i}");
                var id = Guid.CreateVersion7().ToString("D");
                await Run(message, id, link, pylon.Id, $"<p>{text}</p>", text, now);
                await Run(snapshot, link, "pylon", pylon.Id, id, now);
                foreach (var (system, external) in new[] { ("helpdesk", helpdesk.Id), ("cord", cord.Id) })
                {
                    await Run(snapshot, link, system, external, id, now);
                    await Run(mapping, id, system, external, now);
                    mappings++;
                }
            }
        }

        await transaction.CommitAsync();
        return mappings;
    }

    private static Process StartWorker(SimulatorHost sims, string path, int port, int links, string folder) =>
        ChildWorker.Start(
        [
            $"--Sync:State:Path={path}", $"--Sync:Http:Urls=http://127.0.0.1:{port}", "--Sync:Logging:MinimumLevel=Warning",
            // The defaults' intervals compressed 10 times: every conversation is read within the measurement.
            "--Sync:Polling:ActiveInterval=00:00:00.500", "--Sync:Polling:IdleInterval=00:00:06", "--Sync:Polling:ReconcileInterval=00:01:30",
            $"--Sync:Pylon:BaseUrl={sims.PylonUrl}", $"--Sync:Pylon:ApiToken={SimulatorDefaults.PylonToken}", "--Sync:Pylon:BudgetScale=1000",
            $"--Sync:Helpdesk:BaseUrl={sims.HelpdeskUrl}", $"--Sync:Helpdesk:SessionToken={sims.MintHelpdeskToken("agent", TimeSpan.FromHours(1))}", "--Sync:Helpdesk:BudgetScale=1000",
            $"--Sync:Cord:BaseUrl={sims.CordUrl}", $"--Sync:Cord:ApplicationId={SimulatorDefaults.CordAppId}", $"--Sync:Cord:Secret={SimulatorDefaults.CordSecret}", "--Sync:Cord:BudgetScale=1000",
            "--Sync:People:0:HelpdeskAuthorId=author_b", "--Sync:People:0:PylonContactId=contact_b",
            .. Enumerable.Range(0, links).SelectMany(l => new[]
            {
                $"--Sync:Links:{l}:Id=link{l}", $"--Sync:Links:{l}:PylonIssueId=iss_{l}", $"--Sync:Links:{l}:HelpdeskTicketId=tkt_{l}", $"--Sync:Links:{l}:CordThreadId=th_{l}",
            }),
        ], folder);
}

/// <summary>A worker <c>run</c> process started from the bench's build output, its readiness and its peak resident set.</summary>
internal static class ChildWorker
{
    public static Process Start(IEnumerable<string> args, string folder)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sync.Worker.dll"));
        info.ArgumentList.Add("run");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits for <c>/readyz</c> to answer 200; returns the time from now (just after the exec) to then.</summary>
    public static async Task<TimeSpan> WaitReadyAsync(Process worker, int port)
    {
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        while (!await ReadyAsync(http))
        {
            if (worker.HasExited || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                var exit = worker.HasExited ? $"exit {worker.ExitCode}" : "still running after 2 min, killed";
                if (!worker.HasExited)
                {
                    // Never left behind: one that outlived a failed run took a core from the next run's figures.
                    worker.Kill(entireProcessTree: true);
                    await worker.WaitForExitAsync();
                }

                throw new InvalidOperationException($"the worker did not become ready ({exit})");
            }

            await Task.Delay(20);
        }

        return clock.Elapsed;
    }

    private static async Task<bool> ReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>The process's peak resident set so far (VmHWM), in KiB.</summary>
    public static long PeakRssKb(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture)).Single();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
