using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MessageSync.Bench;

// MessageSync benchmarks: prints figures and writes them to bench/results/ (latest.json and a dated .md).
// Never a timed test: the figures are read by people, not asserted.
//   dotnet run -c Release --project bench/Sync.Bench [-- --quick]      (scripts/bench.sh runs it with a broker)
var quick = args.Contains("--quick");
var results = new List<Figure>();
void Report(Figure figure)
{
    results.Add(figure);
    Console.WriteLine($"{figure.Name,-46} {figure.Value,12:0.##} {figure.Unit,-10} {figure.Note}");
}

Console.WriteLine($"MessageSync benchmarks on {Environment.ProcessorCount} cores, .NET {Environment.Version}{(quick ? " (quick)" : "")}");
var rabbit = Environment.GetEnvironmentVariable("SYNC_TEST_RABBITMQ");
var postgres = Environment.GetEnvironmentVariable("SYNC_TEST_POSTGRES");
var onlyProcesses = args.Contains("--processes");
if (!onlyProcesses)
{
    await StoreBench.RunAsync(quick ? 2_000 : 10_000, Report);
    ContentBench.Run(quick ? 300 : 2_000, Report);
    await PipelineBench.RunAsync(quick ? 8 : 20, transport: "InMemory", Report);
    if (!string.IsNullOrWhiteSpace(rabbit))
    {
        await PipelineBench.RunAsync(quick ? 8 : 20, transport: rabbit, Report);
    }
    else
    {
        Console.WriteLine("(SYNC_TEST_RABBITMQ not set: RabbitMQ pipeline skipped; scripts/bench.sh starts a broker)");
    }

    await BudgetBench.RunAsync(Report);
}

if (!string.IsNullOrWhiteSpace(rabbit) && !string.IsNullOrWhiteSpace(postgres))
{
    await ProcessesBench.RunAsync(quick ? 10 : 30, rabbit, postgres, Report);
}
else
{
    Console.WriteLine("(SYNC_TEST_RABBITMQ or SYNC_TEST_POSTGRES not set: the several-processes figures are skipped; scripts/bench.sh starts both)");
}

var folder = Path.Combine(FindRoot(), "bench", "results");
Directory.CreateDirectory(folder);
var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
var json = JsonSerializer.Serialize(new { machine = $"{Environment.ProcessorCount} cores", runtime = Environment.Version.ToString(), quick, at = DateTime.UtcNow, figures = results }, new JsonSerializerOptions { WriteIndented = true });
// --processes alone leaves the full run's latest.json as it is.
await File.WriteAllTextAsync(Path.Combine(folder, onlyProcesses ? "processes.json" : "latest.json"), json);
var md = new StringBuilder($"# MessageSync benchmarks {stamp} UTC ({Environment.ProcessorCount} cores{(quick ? ", quick" : "")})\n\n| figure | value | unit | note |\n| --- | ---: | --- | --- |\n");
foreach (var f in results)
{
    md.Append(CultureInfo.InvariantCulture, $"| {f.Name} | {f.Value:0.##} | {f.Unit} | {f.Note} |\n");
}

await File.WriteAllTextAsync(Path.Combine(folder, $"{stamp}.md"), md.ToString());
Console.WriteLine($"written to {folder}");

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
