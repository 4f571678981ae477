namespace MessageSync.Core.State;

/// <summary>Which engine holds the state.</summary>
public enum StateProvider
{
    /// <summary>One SQLite file (<see cref="StateStoreOptions.Path"/>): the embedded default, one process.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by several processes (<see cref="StateStoreOptions.ConnectionString"/>).</summary>
    Postgres,
}

/// <summary>Options of the state store (configuration section <c>Sync:State</c>), checked by <see cref="StateStoreOptionsValidator"/>.</summary>
public sealed class StateStoreOptions
{
    public const string SectionName = "Sync:State";

    /// <summary>Sqlite (default) or Postgres.</summary>
    public StateProvider Provider { get; set; } = StateProvider.Sqlite;

    /// <summary>SQLite: the database file. Default <c>data/sync.db</c>, relative to the working directory; the folder is created on first open.</summary>
    public string Path { get; set; } = "data/sync.db";

    /// <summary>SQLite: how long a writer waits for another writer's lock before failing. Default 30 s: SQLite has one writer at a time.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Postgres: an Npgsql connection string (<c>Host=db;Port=5432;Database=sync;Username=sync;Password=...</c>). Give it
    /// through the environment (<c>Sync__State__ConnectionString</c>) or use <see cref="ConnectionStringFile"/>; it is never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Postgres: a file holding the connection string (a mounted Kubernetes Secret), read at start. Used when <see cref="ConnectionString"/> is empty.</summary>
    public string? ConnectionStringFile { get; set; }
}
