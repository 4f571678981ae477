using System.Data.Common;
using Dapper;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

public sealed partial class StateStore
{
    // Taken when free or expired, renewed by its owner; anyone else gets no row back. The token grows only when the owner
    // changes: it is the fencing token a stale owner's commit is refused by (FenceAsync).
    private const string AcquireLeaseSql = """
        INSERT INTO leases (name, owner, token, expires_ms, acquired_at) VALUES (@Name, @Owner, 1, {now_ms} + @TtlMs, @Now)
        ON CONFLICT (name) DO UPDATE SET
            token = CASE WHEN leases.owner = excluded.owner THEN leases.token ELSE leases.token + 1 END,
            acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END,
            owner = excluded.owner,
            expires_ms = excluded.expires_ms
        WHERE leases.owner = excluded.owner OR leases.expires_ms <= {now_ms}
        RETURNING token;
        """;

    public async Task<long?> TryAcquireLeaseAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        await InTransactionAsync(
            (connection, transaction) => connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                _dialect.Render(AcquireLeaseSql),
                new { Name = name, Owner = owner, TtlMs = (long)ttl.TotalMilliseconds, Now = Now() },
                transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);

    // The token stays: the next owner's is one higher.
    private const string ReleaseLeaseSql = "UPDATE leases SET expires_ms = 0 WHERE name = @Name AND owner = @Owner;";

    public async Task ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(ReleaseLeaseSql, new { Name = name, Owner = owner }, cancellationToken: cancellationToken));
    }

    private sealed class LeaseRow
    {
        public string Name { get; set; } = "";
        public string Owner { get; set; } = "";
        public long Token { get; set; }
        public long RemainingMs { get; set; }
        public string AcquiredAt { get; set; } = "";
    }

    private const string ListLeasesSql = """
        SELECT name AS Name, owner AS Owner, token AS Token, expires_ms - {now_ms} AS RemainingMs, acquired_at AS AcquiredAt FROM leases;
        """;

    public async Task<IReadOnlyList<LeaseRecord>> ListLeasesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<LeaseRow>(new CommandDefinition(_dialect.Render(ListLeasesSql), cancellationToken: cancellationToken));
        return rows
            .Select(r => new LeaseRecord(r.Name, r.Owner, r.Token, TimeSpan.FromMilliseconds(Math.Max(r.RemainingMs, 0)), StateDb.ParseTime(r.AcquiredAt)))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }

    // FOR SHARE (PostgreSQL) holds the lease row until this transaction ends: a takeover's upsert waits for the commit, so
    // a commit either happens wholly under the token it was fenced by or is refused. SQLite's single writer does the same.
    private const string FenceSql = "SELECT token FROM leases WHERE name = @Name AND owner = @Owner AND token = @Token {for_share};";

    /// <summary>Refuses (throws, so the caller's transaction rolls back) unless <paramref name="fence"/> still holds its lease.</summary>
    private async Task FenceAsync(DbConnection connection, DbTransaction transaction, LeaseFence? fence, CancellationToken cancellationToken)
    {
        if (fence is null)
        {
            return;
        }

        var held = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            _dialect.Render(FenceSql), new { fence.Name, fence.Owner, fence.Token }, transaction, cancellationToken: cancellationToken));
        if (held is null)
        {
            throw new LeaseLostException(fence.Name, fence.Token);
        }
    }

    // ---- Backfill requests ----------------------------------------------------------------------------------------

    private const string InsertBackfillSql = """
        INSERT INTO backfill_requests (requested_by, dry_run, requested_at) VALUES (@RequestedBy, @DryRun, @Now) RETURNING id;
        """;

    private const string InsertBackfillProgressSql = """
        INSERT INTO backfill_progress (request_id, link_id, system, state, updated_at) VALUES (@RequestId, @LinkId, @System, 'pending', @Now);
        """;

    public async Task<long> RequestBackfillAsync(
        string requestedBy, IReadOnlyCollection<(string LinkId, SystemId System)> scope, bool dryRun, CancellationToken cancellationToken = default) =>
        await InTransactionAsync(
            async (connection, transaction) =>
            {
                var now = Now();
                var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    InsertBackfillSql, new { RequestedBy = requestedBy, DryRun = dryRun ? 1 : 0, Now = now }, transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    InsertBackfillProgressSql,
                    scope.Select(s => new { RequestId = id, s.LinkId, System = StateDb.System(s.System), Now = now }),
                    transaction,
                    cancellationToken: cancellationToken));
                return id;
            },
            cancellationToken);

    private sealed class BackfillRow
    {
        public long RequestId { get; set; }
        public string LinkId { get; set; } = "";
        public string System { get; set; } = "";
        public string State { get; set; } = "";
        public long Pages { get; set; }
        public long Messages { get; set; }
        public long Changes { get; set; }
        public string? Summary { get; set; }
        public long DryRun { get; set; }
    }

    private const string BackfillColumns = """
        p.request_id AS RequestId, p.link_id AS LinkId, p.system AS System, p.state AS State, p.pages AS Pages, p.messages AS Messages,
        p.changes AS Changes, p.summary AS Summary, r.dry_run AS DryRun
        FROM backfill_progress p JOIN backfill_requests r ON r.id = p.request_id
        """;

    private const string PendingBackfillSql = $"SELECT {BackfillColumns} WHERE p.system = @System AND p.state = 'pending' ORDER BY p.request_id, p.link_id;";

    private const string GetBackfillSql = $"SELECT {BackfillColumns} WHERE p.request_id = @RequestId ORDER BY p.link_id, p.system;";

    /// <summary>The (request, link) pairs still to be walked on <paramref name="system"/>, oldest request first.</summary>
    public Task<IReadOnlyList<BackfillProgress>> PendingBackfillAsync(SystemId system, CancellationToken cancellationToken = default) =>
        QueryBackfillAsync(PendingBackfillSql, new { System = StateDb.System(system) }, cancellationToken);

    public Task<IReadOnlyList<BackfillProgress>> GetBackfillAsync(long requestId, CancellationToken cancellationToken = default) =>
        QueryBackfillAsync(GetBackfillSql, new { RequestId = requestId }, cancellationToken);

    private async Task<IReadOnlyList<BackfillProgress>> QueryBackfillAsync(string sql, object args, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<BackfillRow>(new CommandDefinition(sql, args, cancellationToken: cancellationToken));
        return rows.Select(r => new BackfillProgress(
            r.RequestId, r.LinkId, StateDb.Parse<SystemId>(r.System), StateDb.Parse<BackfillState>(r.State), r.DryRun != 0, r.Pages, r.Messages, r.Changes, r.Summary)).ToList();
    }

    private const string RecordBackfillSql = """
        UPDATE backfill_progress SET state = @State, pages = @Pages, messages = @Messages, changes = @Changes, summary = @Summary, updated_at = @Now
        WHERE request_id = @RequestId AND link_id = @LinkId AND system = @System AND state = 'pending';
        """;

    public async Task RecordBackfillAsync(BackfillProgress progress, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            RecordBackfillSql,
            new
            {
                progress.RequestId,
                progress.LinkId,
                System = StateDb.System(progress.System),
                State = StateDb.Name(progress.State),
                progress.Pages,
                progress.Messages,
                progress.Changes,
                progress.Summary,
                Now = Now(),
            },
            cancellationToken: cancellationToken));
    }
}
