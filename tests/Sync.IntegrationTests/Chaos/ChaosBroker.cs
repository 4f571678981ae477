using System.Diagnostics;
using RabbitMQ.Client;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// A private RabbitMQ broker for the chaos scenarios, started with the project's own <c>scripts/rabbitmq.sh</c> in a folder
/// of its own (the suite's shared broker must stay up while a scenario takes this one down). Started on first use;
/// stopping and starting it again keeps its ports and durable queues (an outage).
/// </summary>
public sealed class ChaosBroker : IAsyncLifetime, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    /// <summary>The broker's folder when set (scripts/test.sh sets it, and stops that broker on exit even after a crash of the tests).</summary>
    public const string FolderVariable = "SYNC_CHAOS_BROKER_DIR";

    private readonly string _folder = Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } configured
        ? configured
        : Path.Combine(Path.GetTempPath(), "messagesync-chaos-broker-" + Guid.NewGuid().ToString("N")[..8]);
    private Uri? _url;
    private bool _running;

    /// <summary>The broker's amqp:// URL, starting it the first time.</summary>
    public async Task<Uri> UrlAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_url is null || !_running)
            {
                await StartCoreAsync();
            }

            return _url!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the broker (the start of an outage); its queues stay on disk.</summary>
    public async Task StopAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await RunScriptAsync("stop");
            _running = false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts it again on the same ports with the same queues (the end of an outage).</summary>
    public async Task StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await StartCoreAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Raises (or clears) a memory alarm: the broker stops reading from publishing connections, so a publish waits for a
    /// confirm that does not come until the alarm is cleared (<c>rabbitmqctl set_vm_memory_high_watermark</c>).
    /// </summary>
    public async Task MemoryAlarmAsync(bool raised)
    {
        await UrlAsync();
        await RunScriptAsync("ctl", "set_vm_memory_high_watermark", raised ? "0" : "0.4");
    }

    /// <summary>Deletes the worker's queues, so a scenario does not inherit messages of the one before.</summary>
    public async Task DeleteSyncQueuesAsync()
    {
        var factory = new ConnectionFactory { Uri = await UrlAsync() };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var system in new[] { "pylon", "helpdesk", "cord" })
        {
            foreach (var suffix in new[] { "", "_error", "_skipped" })
            {
                await channel.QueueDeleteAsync($"sync-{system}{suffix}", ifUnused: false, ifEmpty: false);
            }
        }
    }

    private async Task StartCoreAsync()
    {
        var output = await RunScriptAsync("start");
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("amqp://", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"scripts/rabbitmq.sh start printed no amqp:// URL:\n{output}");
        _url = new Uri(line);
        _running = true;
    }

    private async Task<string> RunScriptAsync(string verb, params string[] arguments)
    {
        var script = Path.Combine(RepoPaths.Root, "scripts", "rabbitmq.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(verb);
        info.ArgumentList.Add(_folder);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"scripts/rabbitmq.sh {verb} failed ({process.ExitCode}); is rabbitmq-server installed (scripts/rabbitmq.sh install, which scripts/test.sh runs)?\n{await stdout}\n{await stderr}");
        }

        return await stdout;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_url is not null)
        {
            await RunScriptAsync("stop");
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A broker file still open: /tmp is cleaned by the OS.
        }
        catch (UnauthorizedAccessException)
        {
        }

        Dispose();
    }

    public void Dispose() => _gate.Dispose();
}

/// <summary>Where the checkout and the chaos results are.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding MessageSync.sln above the test assembly.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MessageSync.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("MessageSync.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Reports and worker folders of chaos runs: <c>SYNC_CHAOS_RESULTS</c>, else <c>TestResults/chaos</c> in the checkout.</summary>
    public static string ChaosResults =>
        Environment.GetEnvironmentVariable("SYNC_CHAOS_RESULTS") is { Length: > 0 } configured ? configured : Path.Combine(Root, "TestResults", "chaos");
}
