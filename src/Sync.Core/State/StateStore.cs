using System.Data.Common;
using Dapper;
using MessageSync.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MessageSync.Core.State;

/// <summary>
/// The state store (DESIGN.md, "State store"): one implementation of every query over Dapper and <see cref="DbConnection"/>,
/// on SQLite or PostgreSQL as <see cref="StateDialect"/> says. One connection per operation (pooled by the driver); writes
/// that belong together run in one transaction (<see cref="StateDialect.BeginWriteAsync"/>). The schema is created and
/// migrated on first use.
/// </summary>
public sealed partial class StateStore : IStateStore, IDisposable
{
    private const int WriteAttempts = 3;

    private readonly StateDialect _dialect;
    private readonly TimeProvider _time;
    private readonly ILogger<StateStore> _logger;
    private readonly IReadOnlyList<Migration> _migrations;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    public StateStore(StateDialect dialect, TimeProvider? time = null, ILogger<StateStore>? logger = null)
        : this(dialect, time, logger, Migrations.All)
    {
    }

    internal StateStore(StateDialect dialect, TimeProvider? time, ILogger<StateStore>? logger, IReadOnlyList<Migration> migrations)
    {
        _dialect = dialect;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<StateStore>.Instance;
        _migrations = migrations;
    }

    /// <summary>The engine and where it keeps the state, for messages (a path, or host and database; never a password).</summary>
    public StateDialect Dialect => _dialect;

    /// <summary>Prepares the database (SQLite: folder, file, WAL) and applies pending migrations. Idempotent.</summary>
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

            await _dialect.PrepareAsync(cancellationToken);
            await using var connection = await _dialect.OpenAsync(cancellationToken);
            var version = await Migrations.ApplyAsync(connection, _dialect, _migrations, _time, cancellationToken);
            LogReady(_dialect.Engine, _dialect.Location, version);
            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    public void Dispose()
    {
        _dialect.Dispose();
        _initLock.Dispose();
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        return await _dialect.OpenAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction: all of it commits or none of it. An attempt the engine rolled
    /// back as a deadlock victim runs again whole (the work only writes through its connection and transaction).
    /// </summary>
    private async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await OpenAsync(cancellationToken);
                await using var transaction = await _dialect.BeginWriteAsync(connection, cancellationToken);
                var result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (Exception ex) when (attempt < WriteAttempts && _dialect.IsRetryable(ex))
            {
                LogRetrying(ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "State store ready: {Engine} {Location} at schema version {Version}")]
    private partial void LogReady(string engine, string location, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A state store transaction was rolled back by the database and runs again: {Reason}")]
    private partial void LogRetrying(string reason);

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
        FROM links;
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
        }).OrderBy(l => l.Link.Id, StringComparer.Ordinal).ToList();
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
        public long IsNote { get; set; }
        public string SeenAt { get; set; } = "";
    }

    private const string GetSnapshotSql = """
        SELECT external_id AS ExternalId, canonical_id AS CanonicalId, content_hash AS ContentHash, updated_stamp AS UpdatedStamp,
               deleted AS Deleted, redacted AS Redacted, is_note AS IsNote, seen_at AS SeenAt
        FROM snapshots WHERE link_id = @LinkId AND system = @System;
        """;

    private sealed class OwnWriteRow
    {
        public string Marker { get; set; } = "";
        public string CanonicalId { get; set; } = "";
        public string? ExternalId { get; set; }
        public long IsNote { get; set; }
    }

    // Mirrors (marker: the canonical id), creates in flight (an intent, no id yet) and edit notes (marker: the change id).
    private const string GetOwnWritesSql = """
        SELECT p.canonical_id AS Marker, p.canonical_id AS CanonicalId, p.external_id AS ExternalId, 0 AS IsNote
        FROM mappings p JOIN messages m ON m.canonical_id = p.canonical_id
        WHERE m.link_id = @LinkId AND p.system = @System
        UNION ALL
        SELECT i.canonical_id, i.canonical_id, NULL, 0
        FROM intents i JOIN messages m ON m.canonical_id = i.canonical_id
        WHERE m.link_id = @LinkId AND i.system = @System AND i.action = 'create'
        UNION ALL
        SELECT n.change_id, n.canonical_id, n.external_id, 1
        FROM note_copies n JOIN messages m ON m.canonical_id = n.canonical_id
        WHERE m.link_id = @LinkId AND n.system = @System;
        """;

    public async Task<IReadOnlyList<OwnWrite>> GetOwnWritesAsync(string linkId, SystemId system, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<OwnWriteRow>(new CommandDefinition(
            GetOwnWritesSql, new { LinkId = linkId, System = StateDb.System(system) }, cancellationToken: cancellationToken));
        return rows.Select(r => new OwnWrite(Guid.Parse(r.Marker), Guid.Parse(r.CanonicalId), r.ExternalId, r.IsNote != 0)).ToList();
    }

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
                row.Redacted != 0,
                row.IsNote != 0)
            {
                SeenAt = StateDb.ParseTime(row.SeenAt),
            },
            StringComparer.Ordinal);
    }
}
