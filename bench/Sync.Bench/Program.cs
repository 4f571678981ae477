using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MessageSync.Bench;

// MessageSync benchmarks: prints figures and writes them to bench/results/ (latest.json and a dated .md).
// Never a timed test: the figures are read by people, not asserted.
//   dotnet run -c Release --project bench/Sync.Bench [-- --quick]      (scripts/bench.sh runs it with a broker)
var quick = args.Contains("--quick");
if (await CpuBench.HandleAsync(args)) { return; } // --cpu: worker CPU per mirrored write and RSS alone (bench/results/cpu.json)
// --only=a,b runs those sections alone (a developer's loop; latest.json is then left as it is).
var only = ListOption("--only=");
// --lag=10,100-nofeed,webhook runs those runs of the latency section alone (with --only=latency).
var lagRuns = ListOption("--lag=");
// --pipeline=inmemory-100,rabbitmq-1 runs those runs of the pipeline section alone (with --only=pipeline).
var pipelineRuns = ListOption("--pipeline=");
var results = new List<Figure>();
var fields = new SortedDictionary<string, object?>(StringComparer.Ordinal);
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
void Report(Figure figure)
{
    // Side-by-side sections report from several tasks.
    lock (results)
    {
        results.Add(figure);
        Console.WriteLine($"{figure.Name,-46} {figure.Value,12:0.##} {figure.Unit,-10} {figure.Note}");
    }
}

Console.WriteLine($"MessageSync benchmarks on {Environment.ProcessorCount} cores, .NET {Environment.Version}{(quick ? " (quick)" : "")}");
var rabbit = Environment.GetEnvironmentVariable("SYNC_TEST_RABBITMQ");
var postgres = Environment.GetEnvironmentVariable("SYNC_TEST_POSTGRES");
var onlyProcesses = args.Contains("--processes");
var timings = new List<(string Name, TimeSpan Took)>();
async Task Section(string name, Func<Task> run)
{
    if (only.Length > 0 ? !only.Contains(name) : onlyProcesses && name != "processes")
    {
        return;
    }

    var clock = Stopwatch.StartNew();
    await run();
    timings.Add((name, clock.Elapsed));
    Console.WriteLine($"[{name}: {clock.Elapsed.TotalSeconds:0.0} s]");
}

await Section("store", () => StoreBench.RunAsync(quick ? 1_000 : 10_000, Report));
await Section("content", () =>
{
    ContentBench.Run(quick ? 100 : 2_000, Report);
    return Task.CompletedTask;
});
if (!quick)
{
    await Section("mixed", async () =>
    {
        await PipelineBench.RunAsync(20, transport: "InMemory", Report);
        if (!string.IsNullOrWhiteSpace(rabbit))
        {
            await PipelineBench.RunAsync(20, transport: rabbit, Report);
        }
    });
}

if (string.IsNullOrWhiteSpace(rabbit))
{
    Console.WriteLine("(SYNC_TEST_RABBITMQ not set: RabbitMQ pipeline skipped; scripts/bench.sh starts a broker)");
}

await ScaleFigures.RunAsync(quick, rabbit, Report, fields, Section, lagRuns, pipelineRuns);

// Several processes on PostgreSQL: the full run (and --processes) only; the quick run keeps under 5 minutes without them.
if (quick && !onlyProcesses && only.Length == 0)
{
    Console.WriteLine("(quick: the several-processes figures are left to the full run)");
}
else if (!string.IsNullOrWhiteSpace(rabbit) && !string.IsNullOrWhiteSpace(postgres))
{
    await Section("processes", () => ProcessesBench.RunAsync(quick ? 10 : 30, rabbit, postgres, Report));
}
else
{
    Console.WriteLine("(SYNC_TEST_RABBITMQ or SYNC_TEST_POSTGRES not set: the several-processes figures are skipped; scripts/bench.sh starts both)");
}

Console.WriteLine("sections: " + string.Join(", ", timings.Select(t => $"{t.Name} {t.Took.TotalSeconds:0} s")));
if (only.Length > 0)
{
    Console.WriteLine("(--only: nothing written)");
    return;
}

var folder = Path.Combine(FindRoot(), "bench", "results");
Directory.CreateDirectory(folder);
var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
var loadAfter = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
var document = new SortedDictionary<string, object?>(fields, StringComparer.Ordinal)
{
    ["machine"] = $"{Environment.ProcessorCount} cores, load average {load} at start and {loadAfter} at the end (shared machine)",
    ["runtime"] = Environment.Version.ToString(),
    ["quick"] = quick,
    ["at"] = DateTime.UtcNow,
    ["figures"] = results,
    ["section_seconds"] = timings.ToDictionary(t => t.Name, t => Math.Round(t.Took.TotalSeconds, 1)),
};
var json = JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true });
// --processes alone leaves the full run's latest.json as it is.
await File.WriteAllTextAsync(Path.Combine(folder, onlyProcesses ? "processes.json" : "latest.json"), json);
var md = new StringBuilder($"# MessageSync benchmarks {stamp} UTC ({document["machine"]}{(quick ? ", quick" : "")})\n\n")
    .Append("Sections (wall time): ").AppendJoin(", ", timings.Select(t => $"{t.Name} {t.Took.TotalSeconds:0} s")).Append("\n\n| figure | value | unit | note |\n| --- | ---: | --- | --- |\n");
foreach (var f in results)
{
    md.Append(CultureInfo.InvariantCulture, $"| {f.Name} | {f.Value:0.##} | {f.Unit} | {f.Note} |\n");
}

if (fields.Count > 0)
{
    md.Append("\n## latest.json fields\n\n| field | value |\n| --- | ---: |\n");
    foreach (var (name, value) in fields)
    {
        md.Append(CultureInfo.InvariantCulture, $"| `{name}` | {(value is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) : value?.ToString() ?? "not measured")} |\n");
    }
}

await File.WriteAllTextAsync(Path.Combine(folder, $"{stamp}.md"), md.ToString());
if (!onlyProcesses)
{
    // The table the README links to.
    await File.WriteAllTextAsync(Path.Combine(folder, "latest.md"), md.ToString());
}
Console.WriteLine($"written to {folder}");

// The comma-separated values of "--name=a,b"; none when the option is not given.
string[] ListOption(string prefix) => args.FirstOrDefault(a => a.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Split(',') ?? [];

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MessageSync.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

namespace MessageSync.Bench
{
    public sealed record Figure(string Name, double Value, string Unit, string Note = "");

    internal static class Timing
    {
        public static async Task<TimeSpan> TimeAsync(Func<Task> work)
        {
            var clock = Stopwatch.StartNew();
            await work();
            return clock.Elapsed;
        }
    }
}
