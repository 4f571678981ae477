using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MessageSync.Core.State;

/// <summary>
/// The state store on one SQLite file in WAL mode: the embedded default, one process by design. Connections are pooled;
/// readers never block the writer, and writers queue on SQLite's single write lock.
/// </summary>
public sealed class SqliteDialect : StateDialect
{
    private readonly string _connectionString;
    private readonly string _pragmas;

    // Physical connections already configured. A pooled SqliteConnection hands back the same native handle, so the
    // per-connection PRAGMAs run once per physical connection rather than on every (pooled) open.
    private readonly ConditionalWeakTable<sqlite3, object> _configured = [];

    public SqliteDialect(string path, TimeSpan busyTimeout)
    {
        DatabasePath = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();

        // journal_mode is a property of the file (set once in PrepareAsync); these belong to each physical connection.
        _pragmas = $"PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={(long)busyTimeout.TotalMilliseconds};";
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    public override string Engine => "SQLite";

    public override string Location => DatabasePath;

    protected override string IdentityColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

    // AUTOINCREMENT keeps its high-water mark in sqlite_sequence, which an insert with explicit ids already raises.
    protected override string IdentityAfter(string table, string column) => "SELECT 1;";

    protected override string NowMilliseconds => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    protected override string ForShare => "";

    protected override string JsonText(string column, string key) => $"json_extract({column}, '$.{key}')";

    protected override string InList(string column, string parameter) => $"{column} IN {parameter}";

    public override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var folder = System.IO.Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = await OpenAsync(cancellationToken);
        var mode = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode=WAL;", cancellationToken: cancellationToken));
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for {DatabasePath} (journal mode is '{mode}').");
        }
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var handle = connection.Handle!;
            if (!_configured.TryGetValue(handle, out _))
            {
                await connection.ExecuteAsync(new CommandDefinition(_pragmas, cancellationToken: cancellationToken));
                _configured.AddOrUpdate(handle, this);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    // A deferred transaction takes a read snapshot at its first SELECT and holds it to the end (WAL).
    public override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    public override Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        BeginWriteAsync(connection, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Pooled connections keep the file open; release them so the file can be moved or deleted.
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }

        base.Dispose(disposing);
    }
}
