using System.Collections.Concurrent;
using System.Diagnostics;

namespace MessageSync.IntegrationTests;

/// <summary>
/// The built worker as a real child process (<c>dotnet Sync.Worker.dll VERB ...</c>), its output lines kept with the time
/// they arrived. <see cref="Kill"/> is SIGKILL: no shutdown code runs, as when a node dies.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<(DateTimeOffset At, string Line)> _lines = new();

    private WorkerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<(DateTimeOffset At, string Line)> Lines => [.. _lines];

    public static WorkerProcess Start(string name, string workingDirectory, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sync.Worker.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NO_COLOR"] = "1";
        return new WorkerProcess(name, Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>The first line (seen so far or still to come) that matches; its arrival time.</summary>
    public async Task<(DateTimeOffset At, string Line)> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            foreach (var entry in _lines)
            {
                if (match(entry.Line))
                {
                    return entry;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{Name} printed no matching line within {timeout}:\n{Tail()}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}:\n{Tail()}");
        }

        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>SIGKILL.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public string Tail(int count = 40) => string.Join('\n', _lines.TakeLast(count).Select(l => $"[{Name}] {l.Line}"));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue((DateTimeOffset.UtcNow, line));
        }
    }
}
