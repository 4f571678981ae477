using MessageSync.Core.State;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// The worker of one scenario across its lives: started, killed with SIGKILL, restarted on the same state file with the
/// same configuration, and stopped. Counts what happened to it, and notices a worker that died on its own.
/// </summary>
public sealed class ChaosWorker : IDisposable
{
    private readonly List<string> _settings;
    private readonly string _folder;
    private WorkerProcess? _current;

    /// <param name="folder">Holds the state file (<c>sync.db</c>) and the log (<c>worker.log</c>); kept after a failure.</param>
    /// <param name="settings">Everything but the state path, which this class sets.</param>
    public ChaosWorker(string folder, IEnumerable<string> settings)
    {
        _folder = folder;
        Directory.CreateDirectory(folder);
        StatePath = Path.Combine(folder, "sync.db");
        _settings = [.. settings.Where(s => !s.StartsWith("Sync:State:Path=", StringComparison.Ordinal)), $"Sync:State:Path={StatePath}"];
        Log = new WorkerLog(Path.Combine(folder, "worker.log"));
    }

    public string StatePath { get; }

    /// <summary>The values of the secrets the worker was given (tokens, secrets, passwords): none may ever appear in its log.</summary>
    public IReadOnlyList<(string Setting, string Value)> Secrets =>
        [.. _settings.Select(s => s.Split('=', 2)).Where(kv => kv.Length == 2 && kv[1].Length >= 8
            && (kv[0].EndsWith("Token", StringComparison.Ordinal) || kv[0].EndsWith("Secret", StringComparison.Ordinal) || kv[0].EndsWith("Password", StringComparison.Ordinal)))
            .Select(kv => (kv[0], kv[1]))];

    public WorkerLog Log { get; }

    public WorkerProcess? Current => _current;

    public int Starts { get; private set; }

    public int Kills { get; private set; }

    /// <summary>Times the worker was found dead without being killed, with their exit codes (a crash of its own).</summary>
    public List<int> UnexpectedExits { get; } = [];

    public bool IsRunning => _current is { HasExited: false };

    public WorkerProcess Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The worker is already running.");
        }

        NoticeUnexpectedExit();
        _current?.Dispose();
        _current = WorkerProcess.Start(_settings, _folder, Log, StatePath);
        Starts++;
        RecordPid(_current.Pid);
        return _current;
    }

    public async Task StartAndWaitUntilReadyAsync(TimeSpan timeout)
    {
        await Start().WaitUntilReadyAsync(timeout);
    }

    /// <summary>SIGKILL of the running worker (see <see cref="WorkerProcess.Kill"/>).</summary>
    public void Kill()
    {
        var current = _current is { HasExited: false } running ? running : throw new InvalidOperationException("No running worker to kill.");
        current.Kill();
        Kills++;
    }

    /// <summary>Restarts a worker that died on its own (recording it); a no-op while it runs.</summary>
    public void EnsureRunning()
    {
        if (!IsRunning)
        {
            Start();
        }
    }

    /// <summary>SIGTERM and its exit code (0 expected from a graceful stop).</summary>
    public async Task<int> StopAsync()
    {
        if (_current is null)
        {
            return 0;
        }

        NoticeUnexpectedExit();
        var code = await _current.StopAsync(TimeSpan.FromSeconds(60));
        _current.Dispose();
        _current = null;
        return code;
    }

    /// <summary>
    /// The worker's state store, opened from the test process with the worker's own state settings (a SQLite file in WAL
    /// mode, or PostgreSQL): safe beside a running worker for reads, as the read-only tool verbs do.
    /// </summary>
    public StateStore OpenStore()
    {
        string? Setting(string key) => _settings.Select(s => s.Split('=', 2)).LastOrDefault(kv => kv[0] == $"Sync:State:{key}") is { Length: 2 } kv ? kv[1] : null;
        var options = new StateStoreOptions
        {
            Path = StatePath,
            Provider = Enum.TryParse<StateProvider>(Setting("Provider"), ignoreCase: true, out var provider) ? provider : StateProvider.Sqlite,
            ConnectionString = Setting("ConnectionString"),
        };
        return new StateStore(StateStoreServiceCollectionExtensions.CreateDialect(options));
    }

    /// <summary>
    /// Every worker started is listed in <c>worker.pids</c> of the results folder: if the test process itself dies, nothing
    /// kills its children, and scripts/test.sh kills the listed ones still alive (by pid, checking they are workers).
    /// </summary>
    private static void RecordPid(int pid)
    {
        Directory.CreateDirectory(RepoPaths.ChaosResults);
        File.AppendAllText(Path.Combine(RepoPaths.ChaosResults, "worker.pids"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
    }

    private void NoticeUnexpectedExit()
    {
        if (_current is { HasExited: true } dead && dead.ExitCode != WorkerProcess.SigKillExit)
        {
            UnexpectedExits.Add(dead.ExitCode);
            Log.Note($"the worker (pid {dead.Pid}) had exited on its own with code {dead.ExitCode}");
        }
    }

    public void Dispose()
    {
        _current?.Dispose();
        Log.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
