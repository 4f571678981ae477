using System.Diagnostics;

namespace MessageSync.Worker.Tests;

/// <summary>The built worker as an operator starts it: a real process in its own folder, real stdout, stderr and exit code.</summary>
public sealed class WorkerFolder : IDisposable
{
    public WorkerFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ms-worker-" + Guid.NewGuid().ToString("N"));

    public string StatePath => System.IO.Path.Combine(Path, "data", "sync.db");

    /// <summary>Loopback on a free port, a state file in this folder, and the three systems configured (at an address
    /// nothing listens on), so links naming them are valid.</summary>
    public string[] Defaults => ["--Sync:Http:Urls=http://127.0.0.1:0", $"--Sync:State:Path={StatePath}", .. UnreachableSystems];

    public static string[] UnreachableSystems =>
    [
        "--Sync:Pylon:BaseUrl=http://127.0.0.1:9", "--Sync:Pylon:ApiToken=test-pylon-token",
        "--Sync:Helpdesk:BaseUrl=http://127.0.0.1:9", "--Sync:Helpdesk:SessionToken=test-helpdesk-token",
        "--Sync:Cord:BaseUrl=http://127.0.0.1:9", "--Sync:Cord:ApplicationId=test-app", "--Sync:Cord:Secret=test-cord-secret",
    ];

    /// <summary>Runs the worker to its end (60 s at most) and returns its exit code, stdout and stderr.</summary>
    public async Task<WorkerResult> RunAsync(params string[] args) => await RunAsync(args, environment: null);

    public async Task<WorkerResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Sync.Worker {string.Join(' ', args)} did not end within 60 s. Output:\n{await stdout}\n{await stderr}");
        }

        return new WorkerResult(process.ExitCode, await stdout, await stderr);
    }

    public Process Start(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path,
        };
        info.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "Sync.Worker.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("SYNC_CONFIG_FILE");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // The process may still be closing its files.
        }
    }
}

public sealed record WorkerResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>A worker left running: its lines (stdout and stderr) as they come, killed on dispose.</summary>
public sealed class RunningWorker : IDisposable
{
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _newLine = new(0);

    public RunningWorker(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            var found = Lines.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            await _newLine.WaitAsync(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException("No matching line. Output:\n" + string.Join('\n', Lines));
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails naming <paramref name="what"/>, with the worker's output and <paramref name="describe"/>'s.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Timed out waiting until {what}. {describe?.Invoke()}\nWorker output:\n{string.Join('\n', Lines)}");
    }

    /// <summary>Sends SIGTERM (what Kubernetes sends) and waits for the process to end.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Process.WaitForExitAsync(timeout.Token);
        return Process.ExitCode;
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }

        _newLine.Release();
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
        }

        Process.Dispose();
        _newLine.Dispose();
    }
}

/// <summary>The worker's settings for the three simulators, their rate limits compressed <paramref name="speed"/> times on both sides.</summary>
public static class SimulatedSystems
{
    /// <summary>The three simulators at the documented limits compressed <paramref name="speed"/> times, with one conversation
    /// each for link iss_1 / tkt_1 / th_1 (Pylon's with contact_1, Ana).</summary>
    public static async Task<MessageSync.Simulators.SimulatorHost> StartOneLinkAsync(int speed)
    {
        var sims = await MessageSync.Simulators.SimulatorHost.StartAsync(
            new MessageSync.Simulators.SimulatorOptions { RateLimits = MessageSync.Simulators.RateLimitMode.Scaled, RateLimitScale = speed });
        sims.Pylon.CreateIssue("iss_1", "contact_1", "ana@example.com", "Ana");
        sims.Helpdesk.CreateTicket("tkt_1");
        sims.Cord.CreateThread("th_1", "Support", "https://app.example.com/t/1", "group_1");
        return sims;
    }

    public static string[] Settings(MessageSync.Simulators.SimulatorHost sims, int speed, bool cord = true) =>
    [
        $"--Sync:Pylon:BaseUrl={sims.PylonUrl}", $"--Sync:Pylon:ApiToken={MessageSync.Simulators.SimulatorDefaults.PylonToken}", $"--Sync:Pylon:BudgetScale={speed}",
        $"--Sync:Helpdesk:BaseUrl={sims.HelpdeskUrl}", $"--Sync:Helpdesk:SessionToken={sims.MintHelpdeskToken("agent", TimeSpan.FromHours(1), "agent_sync")}",
        $"--Sync:Helpdesk:BudgetScale={speed}",
        .. cord
            ? new[] { $"--Sync:Cord:BaseUrl={sims.CordUrl}", $"--Sync:Cord:ApplicationId={MessageSync.Simulators.SimulatorDefaults.CordAppId}", $"--Sync:Cord:Secret={MessageSync.Simulators.SimulatorDefaults.CordSecret}", $"--Sync:Cord:BudgetScale={speed}" }
            : [],
    ];
}
