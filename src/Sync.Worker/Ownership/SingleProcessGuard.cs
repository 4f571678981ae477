using MessageSync.Core.State;

namespace MessageSync.Worker.Ownership;

/// <summary>
/// SQLite is one process by design (DESIGN.md, "Several processes"): <c>run</c> holds an exclusive lock on a file beside the
/// state file for as long as it lives. The operating system releases it when the process ends, however it ends (SIGKILL
/// included), so a stale lock never blocks a restart. Read-only tool verbs do not take it.
/// </summary>
public sealed class SingleProcessGuard : IDisposable
{
    private readonly FileStream _lock;

    private SingleProcessGuard(FileStream held) => _lock = held;

    /// <summary>Null on PostgreSQL (any number of processes). Throws <see cref="StateInUseException"/> when another process holds the file.</summary>
    public static SingleProcessGuard? Acquire(StateStoreOptions options)
    {
        if (options.Provider != StateProvider.Sqlite)
        {
            return null;
        }

        var database = Path.GetFullPath(options.Path);
        var lockPath = database + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Linux and a sharing lock on Windows.
            return new SingleProcessGuard(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            throw new StateInUseException(database);
        }
    }

    public void Dispose() => _lock.Dispose();
}

/// <summary>Another <c>run</c> already works on this SQLite state file.</summary>
public sealed class StateInUseException(string path)
    : Exception($"Another MessageSync run is already using the state file {path}: SQLite is one process by design. Stop the other one, or run several processes on PostgreSQL (Sync:State:Provider=Postgres with Sync:State:ConnectionString).")
{
    public string StatePath { get; } = path;
}
