using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// One run of the real worker as a child process: <c>dotnet Sync.Worker.dll run</c> from the build output beside the tests
/// (built with them, so on a clean clone it is always the code under test, in Debug like the rest of the suite). The
/// <c>dotnet</c> muxer hosts the runtime in its own process, so the process started here is the worker itself: a kill is a
/// kill -9 of the worker, with no wrapper left behind (checked after every kill).
/// </summary>
public sealed partial class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly WorkerLog _log;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _marker;

    private WorkerProcess(Process process, WorkerLog log, string marker)
    {
        _process = process;
        _log = log;
        _marker = marker;
    }

    /// <summary>
    /// The exit code after a graceful stop on SIGTERM: the .NET host stops the application, then lets the signal end the
    /// process (128 + 15), as Kubernetes expects of a container.
    /// </summary>
    public const int SigTermExit = 143;

    /// <summary>The exit code of a process ended by SIGKILL (128 + 9).</summary>
    public const int SigKillExit = 137;

    /// <summary>The worker's entry assembly in the test output folder (the project reference copies it there).</summary>
    public static string WorkerDll => Path.Combine(AppContext.BaseDirectory, "Sync.Worker.dll");

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Where the worker's HTTP endpoints listen, once <see cref="WaitForListeningAsync"/> has returned.</summary>
    public Uri? Url => _listening.Task.IsCompletedSuccessfully ? _listening.Task.Result : null;

    /// <summary>
    /// Starts <c>Sync.Worker run</c> with <paramref name="settings"/> (<c>Sync:...=value</c>, given on the command line so
    /// that a restart gets exactly the same configuration). <paramref name="marker"/> must appear in the command line (the
    /// state file path does): after a kill, no process whose command line holds it may remain.
    /// </summary>
    public static WorkerProcess Start(IReadOnlyList<string> settings, string workingDirectory, WorkerLog log, string marker)
    {
        if (!File.Exists(WorkerDll))
        {
            throw new FileNotFoundException($"The worker is not built beside the tests ({WorkerDll}); build tests/Sync.IntegrationTests first.");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(WorkerDll);
        info.ArgumentList.Add("run");
        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting.StartsWith("--", StringComparison.Ordinal) ? setting : "--" + setting);
        }

        // Nothing from the test runner's environment may reconfigure the worker behind the test's back.
        info.Environment.Remove("SYNC_CONFIG_FILE");
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Sync__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        if (!string.Join(' ', info.ArgumentList).Contains(marker, StringComparison.Ordinal))
        {
            throw new ArgumentException("the marker must appear in the worker's command line", nameof(marker));
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, log, marker);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("dotnet did not start");
        }

        log.Note($"started worker pid {process.Id}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits for the host's "Now listening on" line; fails early when the process exits first.</summary>
    public async Task<Uri> WaitForListeningAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_listening.Task, exited, Task.Delay(timeout));
        if (done == _listening.Task)
        {
            return await _listening.Task;
        }

        throw new InvalidOperationException(done == exited
            ? $"The worker (pid {Pid}) exited with code {_process.ExitCode} before listening.\n{_log.Tail(60)}"
            : $"The worker (pid {Pid}) did not listen within {timeout.TotalSeconds:0} s.\n{_log.Tail(60)}");
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (state store answers, bus healthy, no system paused).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var url = await WaitForListeningAsync(timeout);
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The worker (pid {Pid}) exited with code {_process.ExitCode} before it was ready.\n{_log.Tail(60)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = await response.Content.ReadAsStringAsync();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The worker (pid {Pid}) was not ready within {timeout.TotalSeconds:0} s: {last}\n{_log.Tail(60)}");
    }

    /// <summary>
    /// SIGKILL (<see cref="Process.Kill()"/> sends it on Linux), then proof that it was one: the process is gone with the
    /// status of signal 9 (exit code 137), and no process is left whose command line names this worker's state file.
    /// </summary>
    public void Kill()
    {
        if (File.Exists($"/proc/{Pid}/cmdline"))
        {
            var commandLine = File.ReadAllText($"/proc/{Pid}/cmdline").Replace('\0', ' ');
            if (!commandLine.Contains("Sync.Worker.dll", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"pid {Pid} is not the worker: {commandLine}");
            }
        }

        _process.Kill();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException($"The worker (pid {Pid}) survived SIGKILL for 30 s.");
        }

        _process.WaitForExit(); // drains the output readers
        _log.Note($"SIGKILL pid {Pid}: exit code {_process.ExitCode}");
        if (_process.ExitCode != SigKillExit)
        {
            throw new InvalidOperationException($"The worker (pid {Pid}) ended with code {_process.ExitCode}, not 137 (SIGKILL): it had exited on its own.\n{_log.Tail(60)}");
        }

        var survivors = ProcessesNaming(_marker);
        if (survivors.Count > 0)
        {
            throw new InvalidOperationException($"After SIGKILL of pid {Pid}, processes of this worker are still alive: {string.Join(", ", survivors)}");
        }
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod, and the exit code; SIGKILL and an exception when it takes too long.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) } }))
            {
                await kill!.WaitForExitAsync();
            }

            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
                throw new TimeoutException($"The worker (pid {Pid}) did not stop within {timeout.TotalSeconds:0} s of SIGTERM.\n{_log.Tail(60)}");
            }
        }

        _process.WaitForExit();
        _log.Note($"stopped pid {Pid}: exit code {_process.ExitCode}");
        return _process.ExitCode;
    }

    /// <summary>Pids of live processes whose command line contains <paramref name="text"/> (Linux /proc).</summary>
    public static IReadOnlyList<int> ProcessesNaming(string text)
    {
        var found = new List<int>();
        if (!Directory.Exists("/proc"))
        {
            return found;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline"));
                var status = File.ReadAllText(Path.Combine(dir, "stat"));
                var zombie = status.Contains(") Z ", StringComparison.Ordinal);
                if (!zombie && commandLine.Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Line(Pid, line);
        if (!_listening.Task.IsCompleted && ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups["url"].Value.TrimEnd('/') + "/"));
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
