using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MessageSync.Simulators;

namespace MessageSync.Bench;

/// <summary>
/// Issue 13, item 4: the worker's CPU time per mirrored write in steady state, beside a plain HTTP client loop's CPU per
/// write, and the worker's peak resident set. The worker runs as its own process (<c>Sync.Worker.dll run</c>, with its
/// own runtimeconfig: the GC settings that ship), SQLite state and the in-memory bus, against the simulators in this
/// process with rate limits off and polling as shipped (appsettings.json: 5 s active, 60 s idle, feeds every 10 s; an
/// earlier version polled every 200 ms, which made polling at rest most of the figure); its CPU is the kernel's account of
/// that process (utime + stime), its peak RSS the kernel's high-water mark (VmHWM). The client loop runs as a child process too, so neither figure counts the
/// simulators. Writes <c>bench/results/cpu.json</c>.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Sync.Bench -- --cpu [--quick]</c> runs only this. Steady state: a warm-up
/// batch mirrored first (JIT, tiering, pools), then the CPU the worker spends on the measured batch, idle polling of
/// the links included (it is part of what a write costs).
/// </remarks>
internal static class CpuBench
{
    private const string ClientFlag = "--cpu-client";
    private const int Links = 10;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public sealed record Result(
        double WorkerCpuMsPerWrite, double WorkerCpuMsPerWriteBeyondRest, double RestCpuMsPerSecond, double ClientCpuMsPerWrite, double WorkerPeakRssMb, double WorkerRssMbAtEnd,
        long Writes, double WritesPerSecond, long Mappings, string WorkerGc);

    /// <summary>
    /// Handles <c>--cpu</c> (this benchmark alone) and <c>--cpu-client</c> (the plain HTTP loop's child process).
    /// Returns false when neither was asked for.
    /// </summary>
    public static async Task<bool> HandleAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == ClientFlag)
        {
            await ClientLoopAsync(args[1..]);
            return true;
        }

        if (!args.Contains("--cpu"))
        {
            return false;
        }

        await RunAsync(args.Contains("--quick"), f => Console.WriteLine($"{f.Name,-46} {f.Value,12:0.###} {f.Unit,-10} {f.Note}"));
        return true;
    }

    /// <summary>Measures, reports the figures and writes <c>bench/results/cpu.json</c>.</summary>
    public static async Task<Result> RunAsync(bool quick, Action<Figure> report)
    {
        var (warm, measured) = quick ? (500, 1_000) : (2_000, 10_000);
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off });
        for (var l = 0; l < Links; l++)
        {
            sims.Pylon.CreateIssue($"iss_{l}", "contact_b", "b@example.com", "Bench Customer");
            sims.Helpdesk.CreateTicket($"tkt_{l}");
            sims.Cord.CreateThread($"th_{l}", "Bench", "https://app.example.com/b", "group_b");
        }

        var folder = Directory.CreateTempSubdirectory("ms-bench-cpu-").FullName;
        using var worker = StartWorker(sims, folder);
        Console.WriteLine($"(worker process {worker.Id}: profile it with perf or dotnet-trace while the batch runs)");
        try
        {
            // Warm-up: the first writes pay for JIT, tiered compilation and the pools.
            AddMessages(sims, 0, warm);
            await WaitForWritesAsync(sims, worker, 2L * warm);

            var before = CpuTime(worker);
            var clock = Stopwatch.StartNew();
            AddMessages(sims, warm, measured);
            await WaitForWritesAsync(sims, worker, 2L * (warm + measured));
            var elapsed = clock.Elapsed;
            var cpu = CpuTime(worker) - before;
            var writes = 2L * measured;

            // Polling at rest: the same links, still polled at the active interval (5 s), with nothing new to mirror. The batch
            // paid this for every second it ran, so a slow (loaded) machine adds it to each write; shown apart.
            var restStart = CpuTime(worker);
            var restClock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(8));
            var restPerSecond = (CpuTime(worker) - restStart).TotalMilliseconds / restClock.Elapsed.TotalSeconds;
            var (peak, current) = Rss(worker.Id);

            var client = await ClientCpuAsync(sims, measured * 2);
            var result = new Result(
                cpu.TotalMilliseconds / writes, Math.Max(0, cpu.TotalMilliseconds - restPerSecond * elapsed.TotalSeconds) / writes, restPerSecond,
                client, peak / 1024.0, current / 1024.0, writes, writes / elapsed.TotalSeconds, 2L * (warm + measured), WorkerGc());

            report(new("CPU: worker, per mirrored write", result.WorkerCpuMsPerWrite, "ms",
                $"{writes} writes (Pylon -> helpdesk + Cord), {Links} links, limits off, steady state; {result.WritesPerSecond:0} writes/s; GC {result.WorkerGc}"));
            report(new("CPU: worker, per mirrored write beyond polling", result.WorkerCpuMsPerWriteBeyondRest, "ms",
                $"the same less polling at rest ({result.RestCpuMsPerSecond:0} ms CPU a second with nothing to mirror) for the batch's {elapsed.TotalSeconds:0} s"));
            report(new("CPU: plain HTTP client loop, per write", result.ClientCpuMsPerWrite, "ms", $"{writes} helpdesk + Cord creates, 4 writers"));
            report(new("CPU: worker / plain client", result.WorkerCpuMsPerWrite / result.ClientCpuMsPerWrite, "x", ""));
            report(new("RSS: worker peak", result.WorkerPeakRssMb, "MB", $"VmHWM after {result.Mappings} mappings; {result.WorkerRssMbAtEnd:0} MB at the end"));
            await WriteJsonAsync(result, quick);
            return result;
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AddMessages(SimulatorHost sims, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            sims.Pylon.AddMessage($"iss_{i % Links}", SimMessageKind.Customer, $"<p>Hello, <b>message</b> {i} from the customer.</p><p>Second paragraph with <a href=\"https://example.com/{i}\">a link</a>.</p>");
        }
    }

    private static long Written(SimulatorHost sims)
    {
        long total = 0;
        for (var l = 0; l < Links; l++)
        {
            total += sims.Helpdesk.GetMessages($"tkt_{l}").Count + sims.Cord.GetMessages($"th_{l}").Count;
        }

        return total;
    }

    private static async Task WaitForWritesAsync(SimulatorHost sims, Process worker, long writes)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (Written(sims) < writes)
        {
            if (worker.HasExited)
            {
                throw new InvalidOperationException($"The worker exited with {worker.ExitCode} before mirroring {writes} writes.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The worker mirrored {Written(sims)} of {writes} writes in 10 minutes.");
            }

            await Task.Delay(20);
        }
    }

    private static Process StartWorker(SimulatorHost sims, string folder)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        string[] args =
        [
            Path.Combine(AppContext.BaseDirectory, "Sync.Worker.dll"), "run",
            $"--Sync:State:Path={Path.Combine(folder, "sync.db")}", "--Sync:Http:Urls=http://127.0.0.1:0", "--Sync:Logging:MinimumLevel=Warning",
            $"--Sync:Pylon:BaseUrl={sims.PylonUrl}", $"--Sync:Pylon:ApiToken={SimulatorDefaults.PylonToken}", "--Sync:Pylon:BudgetScale=1000",
            $"--Sync:Helpdesk:BaseUrl={sims.HelpdeskUrl}", $"--Sync:Helpdesk:SessionToken={sims.MintHelpdeskToken("agent", TimeSpan.FromHours(1))}", "--Sync:Helpdesk:BudgetScale=1000",
            $"--Sync:Cord:BaseUrl={sims.CordUrl}", $"--Sync:Cord:ApplicationId={SimulatorDefaults.CordAppId}", $"--Sync:Cord:Secret={SimulatorDefaults.CordSecret}", "--Sync:Cord:BudgetScale=1000",
            "--Sync:People:0:HelpdeskAuthorId=author_b", "--Sync:People:0:PylonContactId=contact_b",
            .. Enumerable.Range(0, Links).SelectMany(l => new[]
            {
                $"--Sync:Links:{l}:Id=link{l}", $"--Sync:Links:{l}:PylonIssueId=iss_{l}", $"--Sync:Links:{l}:HelpdeskTicketId=tkt_{l}", $"--Sync:Links:{l}:CordThreadId=th_{l}",
            }),
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                Console.Error.WriteLine($"worker: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static TimeSpan CpuTime(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>VmHWM and VmRSS of <paramref name="pid"/> in KiB (the kernel's peak and current resident set).</summary>
    private static (long Peak, long Current) Rss(int pid)
    {
        long peak = 0, current = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                current = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return (peak, current);
    }

    /// <summary>The GC settings the worker ships with, as its runtimeconfig.json says (defaults when it says none).</summary>
    private static string WorkerGc()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Sync.Worker.runtimeconfig.json");
        if (!File.Exists(path))
        {
            return "unknown";
        }

        var properties = JsonNode.Parse(File.ReadAllText(path))?["runtimeOptions"]?["configProperties"]?.AsObject();
        var gc = properties?.Where(p => p.Key.StartsWith("System.GC.", StringComparison.Ordinal) || p.Key.Contains("Tiered", StringComparison.Ordinal))
            .Select(p => $"{p.Key.Replace("System.GC.", "", StringComparison.Ordinal)}={p.Value}")
            .ToList();
        return gc is { Count: > 0 } ? string.Join(", ", gc) : "runtime defaults (workstation, concurrent)";
    }

    /// <summary>The plain HTTP client loop in a child process; returns its CPU ms per write.</summary>
    private static async Task<double> ClientCpuAsync(SimulatorHost sims, int writes)
    {
        sims.Helpdesk.CreateTicket("tkt_raw");
        sims.Cord.CreateThread("th_raw", "Raw", "https://app.example.com/raw", "group_raw");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "Sync.Bench.dll"), ClientFlag, sims.HelpdeskUrl.ToString(), sims.CordUrl.ToString(),
                     sims.MintHelpdeskToken("agent", TimeSpan.FromHours(1)), sims.MintCordToken(TimeSpan.FromHours(1)), writes.ToString(CultureInfo.InvariantCulture),
                 })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("cpu_ms_per_write ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The client loop printed no figure (exit {process.ExitCode}): {output}");
        return double.Parse(line["cpu_ms_per_write ".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>The child: helpdesk and Cord creates from four writers; a warm-up, then its own CPU over the measured writes.</summary>
    private static async Task ClientLoopAsync(string[] args)
    {
        var (helpdeskUrl, cordUrl, helpdeskToken, cordToken) = (new Uri(args[0]), new Uri(args[1]), args[2], args[3]);
        var writes = int.Parse(args[4], CultureInfo.InvariantCulture);
        using var helpdesk = new HttpClient { BaseAddress = helpdeskUrl };
        helpdesk.DefaultRequestHeaders.Authorization = new("Bearer", helpdeskToken);
        using var cord = new HttpClient { BaseAddress = cordUrl };
        cord.DefaultRequestHeaders.Authorization = new("Bearer", cordToken);
        var next = -1;

        async Task Loop(int until)
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < until)
                {
                    await ScaleBench.RawWriteAsync(helpdesk, cord, i);
                }
            }));
        }

        var warm = Math.Min(500, writes / 4);
        await Loop(warm);
        next = warm - 1;
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        await Loop(warm + writes);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu_ms_per_write {cpu.TotalMilliseconds / writes}"));
    }

    private static async Task WriteJsonAsync(Result result, bool quick)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MessageSync.sln")))
        {
            dir = dir.Parent;
        }

        var folder = Path.Combine(dir?.FullName ?? Directory.GetCurrentDirectory(), "bench", "results");
        Directory.CreateDirectory(folder);
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        var document = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["worker_cpu_ms_per_write"] = Math.Round(result.WorkerCpuMsPerWrite, 4),
            ["worker_cpu_ms_per_write_beyond_polling"] = Math.Round(result.WorkerCpuMsPerWriteBeyondRest, 4),
            ["worker_polling_at_rest_cpu_ms_per_s"] = Math.Round(result.RestCpuMsPerSecond, 1),
            ["client_cpu_ms_per_write"] = Math.Round(result.ClientCpuMsPerWrite, 4),
            ["worker_to_client_cpu_ratio"] = Math.Round(result.WorkerCpuMsPerWrite / result.ClientCpuMsPerWrite, 2),
            ["worker_peak_rss_mb"] = Math.Round(result.WorkerPeakRssMb, 1),
            ["worker_rss_mb_at_end"] = Math.Round(result.WorkerRssMbAtEnd, 1),
            ["writes_measured"] = result.Writes,
            ["writes_per_s"] = Math.Round(result.WritesPerSecond, 1),
            ["mappings"] = result.Mappings,
            ["links"] = Links,
            ["worker_gc"] = result.WorkerGc,
            ["quick"] = quick,
            ["machine"] = $"{Environment.ProcessorCount} cores, load average {load} at the end (shared machine)",
            ["runtime"] = Environment.Version.ToString(),
            ["at"] = DateTime.UtcNow,
        };
        await File.WriteAllTextAsync(Path.Combine(folder, "cpu.json"), JsonSerializer.Serialize(document, Indented));
    }
}
