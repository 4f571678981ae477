using Dapper;
using MessageSync.Core.Model;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MessageSync.Core.State;

/// <summary>
/// The state store on one SQLite file in WAL mode (DESIGN.md, "State store"). One connection per operation (pooled):
/// readers never block the writer, and writers queue on SQLite's single write lock, taken at BEGIN (IMMEDIATE) so that
/// two writers never deadlock upgrading a read lock. The schema is created and migrated on first use.
/// </summary>
public sealed partial class SqliteStateStore : IStateStore, IDisposable
{
    private readonly string _connectionString;
    private readonly string _path;
    private readonly string _connectionPragmas;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteStateStore> _logger;
    private readonly IReadOnlyList<Migration> _migrations;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    public SqliteStateStore(IOptions<StateStoreOptions> options, TimeProvider? time = null, ILogger<SqliteStateStore>? logger = null)
        : this(options.Value, time, logger, Migrations.All)
    {
    }

    internal SqliteStateStore(StateStoreOptions options, TimeProvider? time, ILogger<SqliteStateStore>? logger, IReadOnlyList<Migration> migrations)
    {
        _path = System.IO.Path.GetFullPath(options.Path);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<SqliteStateStore>.Instance;
        _migrations = migrations;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();

        // Per connection: journal_mode is a property of the file (set once at start), these are not.
        _connectionPragmas = $"PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={(long)options.BusyTimeout.TotalMilliseconds};";
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath => _path;

    /// <summary>Creates the folder and file if needed, switches the file to WAL and applies pending migrations. Idempotent.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            var folder = System.IO.Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            await using var connection = await OpenRawAsync(cancellationToken);
            var mode = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode=WAL;", cancellationToken: cancellationToken));
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for {_path} (journal mode is '{mode}').");
            }

            var version = await Migrations.ApplyAsync(connection, _migrations, _time, cancellationToken);
            LogReady(_path, version);
            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _initLock.Dispose();
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(_connectionPragmas, cancellationToken: cancellationToken));
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction (BEGIN IMMEDIATE): all of it commits or none of it.</summary>
    private async Task<T> InTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task InTransactionAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
        await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "State store {Path} ready at schema version {Version}")]
    private partial void LogReady(string path, int version);

    private string Now() => StateDb.Time(_time.GetUtcNow());

    // ---- Links ----------------------------------------------------------------------------------------------------

    private sealed record LinkOptionsJson(bool CordThreadCustomerVisible, IReadOnlyList<string> CordAgentUserIds, ReplyDelivery DeliverRepliesVia);

    private sealed class LinkRow
    {
        public string Id { get; set; } = "";
        public string? PylonIssueId { get; set; }
        public string? HelpdeskTicketId { get; set; }
        public string? CordThreadId { get; set; }
        public string Options { get; set; } = "{}";
        public string Source { get; set; } = "store";
    }

    private const string UpsertLinkSql = """
        INSERT INTO links (id, pylon_issue_id, helpdesk_ticket_id, cord_thread_id, options, source, created_at, updated_at)
        VALUES (@Id, @PylonIssueId, @HelpdeskTicketId, @CordThreadId, @Options, 'store', @Now, @Now)
        ON CONFLICT (id) DO UPDATE SET
            pylon_issue_id = excluded.pylon_issue_id,
            helpdesk_ticket_id = excluded.helpdesk_ticket_id,
            cord_thread_id = excluded.cord_thread_id,
            options = excluded.options,
            updated_at = excluded.updated_at;
        """;

    public async Task UpsertLinkAsync(ConversationLink link, CancellationToken cancellationToken = default)
    {
        if (link.Systems.Count() < 2)
        {
            throw new ArgumentException($"Link '{link.Id}' names fewer than two systems.", nameof(link));
        }

        var options = StateDb.ToJson(new LinkOptionsJson(link.CordThreadCustomerVisible, link.CordAgentUserIds, link.DeliverRepliesVia));
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            UpsertLinkSql,
            new { link.Id, link.PylonIssueId, link.HelpdeskTicketId, link.CordThreadId, Options = options, Now = Now() },
            cancellationToken: cancellationToken));
    }

    private const string RemoveLinkSql = "DELETE FROM links WHERE id = @Id;";

    public async Task<bool> RemoveLinkAsync(string linkId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(RemoveLinkSql, new { Id = linkId }, cancellationToken: cancellationToken)) > 0;
    }

    private const string ListLinksSql = """
        SELECT id AS Id, pylon_issue_id AS PylonIssueId, helpdesk_ticket_id AS HelpdeskTicketId, cord_thread_id AS CordThreadId,
               options AS Options, source AS Source
        FROM links ORDER BY id;
        """;

    public async Task<IReadOnlyList<StoredLink>> ListLinksAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<LinkRow>(new CommandDefinition(ListLinksSql, cancellationToken: cancellationToken));
        return rows.Select(row =>
        {
            var options = StateDb.FromJson<LinkOptionsJson>(row.Options);
            return new StoredLink(
                new ConversationLink
                {
                    Id = row.Id,
                    PylonIssueId = row.PylonIssueId,
                    HelpdeskTicketId = row.HelpdeskTicketId,
                    CordThreadId = row.CordThreadId,
                    CordThreadCustomerVisible = options.CordThreadCustomerVisible,
                    CordAgentUserIds = options.CordAgentUserIds ?? [],
                    DeliverRepliesVia = options.DeliverRepliesVia,
                },
                row.Source);
        }).ToList();
    }

    // ---- Cursors and snapshots ------------------------------------------------------------------------------------

    private const string GetCursorSql = "SELECT cursor FROM cursors WHERE link_id = @LinkId AND system = @System;";

    public async Task<string?> GetCursorAsync(string linkId, SystemId system, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            GetCursorSql, new { LinkId = linkId, System = StateDb.System(system) }, cancellationToken: cancellationToken));
    }

    private sealed class SnapshotRow
    {
        public string ExternalId { get; set; } = "";
        public string CanonicalId { get; set; } = "";
        public string? ContentHash { get; set; }
        public string? UpdatedStamp { get; set; }
        public long Deleted { get; set; }
        public long Redacted { get; set; }
        public string SeenAt { get; set; } = "";
    }

    private const string GetSnapshotSql = """
        SELECT external_id AS ExternalId, canonical_id AS CanonicalId, content_hash AS ContentHash, updated_stamp AS UpdatedStamp,
               deleted AS Deleted, redacted AS Redacted, seen_at AS SeenAt
        FROM snapshots WHERE link_id = @LinkId AND system = @System;
        """;

    public async Task<IReadOnlyDictionary<string, SnapshotEntry>> GetSnapshotAsync(string linkId, SystemId system, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SnapshotRow>(new CommandDefinition(
            GetSnapshotSql, new { LinkId = linkId, System = StateDb.System(system) }, cancellationToken: cancellationToken));
        return rows.ToDictionary(
            row => row.ExternalId,
            row => new SnapshotEntry(
                row.ExternalId,
                Guid.Parse(row.CanonicalId),
                row.ContentHash,
                StateDb.ParseTimeOrNull(row.UpdatedStamp),
                row.Deleted != 0,
                row.Redacted != 0)
            {
                SeenAt = StateDb.ParseTime(row.SeenAt),
            },
            StringComparer.Ordinal);
    }
}
