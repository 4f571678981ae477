using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MessageSync.Core.Tests.State;

/// <summary>A clock tests move by hand (Microsoft.Extensions.TimeProvider.Testing is not available here).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public ManualClock()
        : this(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// A fresh, empty database for one test on one engine, removed afterwards. <see cref="OpenDialect"/> is what a store (or a
/// raw check the interface does not offer) connects through.
/// </summary>
public abstract class StoreDatabase : IDisposable
{
    public ManualClock Clock { get; } = new();

    public abstract StateDialect OpenDialect();

    public StateStore Open(IReadOnlyList<Migration>? migrations = null) => new(OpenDialect(), Clock, null, migrations ?? Migrations.All);

    /// <summary>SQL that counts the tables named @Name (0 or 1).</summary>
    public abstract string CountTablesSql { get; }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        using var dialect = OpenDialect();
        await using var connection = await dialect.OpenAsync(CancellationToken.None);
        return (await connection.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task ExecuteAsync(string sql)
    {
        using var dialect = OpenDialect();
        await using var connection = await dialect.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(sql);
    }

    public async Task<bool> TableExistsAsync(string name) => await ScalarAsync<long>(CountTablesSql, new { Name = name }) > 0;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>A real SQLite file in its own temporary folder, removed afterwards.</summary>
public sealed class TempDatabase : StoreDatabase
{
    public TempDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "messagesync-tests", Guid.NewGuid().ToString("N"));
        DatabasePath = Path.Combine(Folder, "nested", "sync.db");
    }

    public string Folder { get; }
    public string DatabasePath { get; }

    public override StateDialect OpenDialect() => new SqliteDialect(DatabasePath, TimeSpan.FromSeconds(30));

    public override string CountTablesSql => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @Name;";

    /// <summary>A raw connection for checks the interface does not offer (the tests look at the file itself).</summary>
    public SqliteConnection Raw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    protected override void Dispose(bool disposing)
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; a failing cleanup must not fail the test.
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// A database of its own on the PostgreSQL server named by <c>SYNC_TEST_POSTGRES</c> (scripts/test.sh starts one), dropped
/// afterwards. Without that variable the test fails: a contract proven on one engine only is not proven.
/// </summary>
public sealed class PostgresTestDatabase : StoreDatabase
{
    public const string Variable = "SYNC_TEST_POSTGRES";

    private readonly string _server;

    public PostgresTestDatabase()
    {
        _server = Server();
        Name = "sync_test_" + Guid.NewGuid().ToString("N");
        using var connection = new NpgsqlConnection(_server);
        connection.Open();
        connection.Execute($"CREATE DATABASE {Name};");
        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = Name }.ToString();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>The server's connection string, or a failure that says how to get one.</summary>
    public static string Server() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: the PostgreSQL state-store tests need a server. Run scripts/test.sh (it starts one), or " +
                $"scripts/postgres.sh start DIR and export {Variable} with the connection string it prints.");

    public override StateDialect OpenDialect() => new PostgresDialect(ConnectionString);

    public override string CountTablesSql => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @Name;";

    protected override void Dispose(bool disposing)
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(_server);
        connection.Open();
        connection.Execute($"DROP DATABASE IF EXISTS {Name} WITH (FORCE);");
        base.Dispose(disposing);
    }
}

internal static class Samples
{
    public static ConversationLink Link(string id = "link-1") => new()
    {
        Id = id,
        PylonIssueId = "iss_1",
        HelpdeskTicketId = "tkt_9",
        CordThreadId = "th_4",
    };

    public static CanonicalMessage Message(Guid id, string linkId, SystemId system, string externalId, string text = "Hello", MessageKind kind = MessageKind.CustomerMessage) => new()
    {
        Id = id,
        LinkId = linkId,
        Origin = new MessageOrigin(system, externalId),
        Author = new Author("Ada", "ada@example.com"),
        Kind = kind,
        BodyHtml = $"<p>{text}</p>",
        BodyText = text,
        Attachments = [new Attachment("a.png", "https://files.example.com/a.png?sig=1", "image/png", 12)],
        CreatedAt = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero),
    };

    public static ObservationCommit Created(string linkId, SystemId system, string externalId, Guid? id = null, string? cursor = null, string text = "Hello")
    {
        var canonicalId = id ?? Guid.CreateVersion7();
        return new ObservationCommit
        {
            LinkId = linkId,
            System = system,
            Snapshots = [new SnapshotEntry(externalId, canonicalId, "hash-" + text)],
            Changes = [new DetectedChange(ChangeKind.Created, canonicalId, externalId, DateTimeOffset.UnixEpoch, Message(canonicalId, linkId, system, externalId, text))],
            Cursor = cursor,
        };
    }

    public static ObservedMessage Observed(string id, string text = "Hello", MessageKind kind = MessageKind.CustomerMessage) => new()
    {
        ExternalId = id,
        Kind = kind,
        Author = new Author("Ada"),
        BodyHtml = $"<p>{text}</p>",
        BodyText = text,
        CreatedAt = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero),
    };
}
