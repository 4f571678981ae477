using Dapper;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

public sealed partial class StateStore
{
    private const string InsertOutcomeSql = """
        INSERT INTO outcomes (link_id, canonical_id, target, kind, change_kind, reason, created_at)
        VALUES (@LinkId, @CanonicalId, @Target, @Kind, @ChangeKind, @Reason, @Now)
        RETURNING id;
        """;

    public async Task<long> RecordOutcomeAsync(NewOutcome outcome, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            InsertOutcomeSql,
            new
            {
                outcome.LinkId,
                CanonicalId = outcome.CanonicalId is { } id ? StateDb.Id(id) : null,
                Target = StateDb.System(outcome.Target),
                Kind = StateDb.Name(outcome.Kind),
                ChangeKind = outcome.Change is { } change ? StateDb.Name(change) : null,
                outcome.Reason,
                Now = Now(),
            },
            cancellationToken: cancellationToken));
    }

    private sealed class OutcomeRow
    {
        public long Id { get; set; }
        public string LinkId { get; set; } = "";
        public string? CanonicalId { get; set; }
        public string Target { get; set; } = "";
        public string Kind { get; set; } = "";
        public string? ChangeKind { get; set; }
        public string Reason { get; set; } = "";
        public string CreatedAt { get; set; } = "";
        public string? AcknowledgedAt { get; set; }
        public string? ResolvedAt { get; set; }
    }

    private const string ListOutcomesSql = """
        SELECT id AS Id, link_id AS LinkId, canonical_id AS CanonicalId, target AS Target, kind AS Kind, change_kind AS ChangeKind,
               reason AS Reason, created_at AS CreatedAt, acknowledged_at AS AcknowledgedAt, resolved_at AS ResolvedAt
        FROM outcomes
        WHERE @IncludeResolved = 1 OR (acknowledged_at IS NULL AND resolved_at IS NULL)
        ORDER BY id;
        """;

    public async Task<IReadOnlyList<OutcomeRecord>> ListOutcomesAsync(bool includeResolved, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<OutcomeRow>(new CommandDefinition(
            ListOutcomesSql, new { IncludeResolved = includeResolved ? 1 : 0 }, cancellationToken: cancellationToken));
        return rows.Select(row => new OutcomeRecord(
            row.Id,
            row.LinkId,
            row.CanonicalId is null ? null : Guid.Parse(row.CanonicalId),
            StateDb.Parse<SystemId>(row.Target),
            StateDb.Parse<OutcomeKind>(row.Kind),
            row.ChangeKind is null ? null : StateDb.Parse<ChangeKind>(row.ChangeKind),
            row.Reason,
            StateDb.ParseTime(row.CreatedAt),
            StateDb.ParseTimeOrNull(row.AcknowledgedAt),
            StateDb.ParseTimeOrNull(row.ResolvedAt))).ToList();
    }

    // Acknowledging a held deletion keeps the copies: the message is taken as gone from the system it vanished from (its
    // snapshot row marked deleted, so later scans stop holding it) and no deletion goes anywhere.
    private const string AcceptVanishedSql = """
        UPDATE snapshots SET deleted = 1, seen_at = @Now
        WHERE is_note = 0 AND EXISTS (
            SELECT 1 FROM outcomes o
            WHERE o.id = @Id AND o.kind = 'held_deletion' AND o.acknowledged_at IS NULL AND o.resolved_at IS NULL
              AND o.link_id = snapshots.link_id AND o.target = snapshots.system AND o.canonical_id = snapshots.canonical_id);
        """;

    private const string AcknowledgeSql = "UPDATE outcomes SET acknowledged_at = @Now WHERE id = @Id AND acknowledged_at IS NULL;";

    public async Task<bool> AcknowledgeOutcomeAsync(long id, CancellationToken cancellationToken = default) =>
        await InTransactionAsync(
            async (connection, transaction) =>
            {
                var args = new { Id = id, Now = Now() };
                await connection.ExecuteAsync(new CommandDefinition(AcceptVanishedSql, args, transaction, cancellationToken: cancellationToken));
                return await connection.ExecuteAsync(new CommandDefinition(AcknowledgeSql, args, transaction, cancellationToken: cancellationToken)) > 0;
            },
            cancellationToken);

    // A held deletion is released by an operator only, never by a later write of the same message.
    private const string ResolveSql = """
        UPDATE outcomes SET resolved_at = @Now
        WHERE canonical_id = @CanonicalId AND target = @Target AND resolved_at IS NULL AND kind <> 'held_deletion';
        """;

    public async Task<int> ResolveOutcomesAsync(Guid canonicalId, SystemId target, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            ResolveSql, new { CanonicalId = StateDb.Id(canonicalId), Target = StateDb.System(target), Now = Now() }, cancellationToken: cancellationToken));
    }

    // ---- Status ---------------------------------------------------------------------------------------------------

    private sealed class CountRow
    {
        public string LinkId { get; set; } = "";
        public string? Key { get; set; }
        public long Count { get; set; }
        public string? At { get; set; }
    }

    private const string SnapshotCountsSql = """
        SELECT link_id AS LinkId, system AS Key, COUNT(*) AS Count FROM snapshots WHERE deleted = 0 GROUP BY link_id, system;
        """;

    private const string MirrorCountsSql = """
        SELECT m.link_id AS LinkId, NULL AS Key, COUNT(*) AS Count
        FROM mappings p JOIN messages m ON m.canonical_id = p.canonical_id GROUP BY m.link_id;
        """;

    private const string OutboxCountsSql = """
        SELECT link_id AS LinkId, NULL AS Key, COUNT(*) AS Count, MIN(created_at) AS At
        FROM outbox WHERE published_at IS NULL GROUP BY link_id;
        """;

    private const string OutcomeCountsSql = """
        SELECT link_id AS LinkId, kind AS Key, COUNT(*) AS Count FROM outcomes
        WHERE acknowledged_at IS NULL AND resolved_at IS NULL GROUP BY link_id, kind;
        """;

    private const string LastPollSql = "SELECT link_id AS LinkId, system AS Key, 0 AS Count, updated_at AS At FROM cursors;";

    private const string LinkIdsSql = "SELECT id FROM links UNION SELECT link_id FROM cursors UNION SELECT link_id FROM messages;";

    public async Task<StoreStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // One read transaction: every figure comes from the same snapshot of the file.
        await using var transaction = await _dialect.BeginSnapshotAsync(connection, cancellationToken);
        async Task<List<CountRow>> Rows(string sql) =>
            (await connection.QueryAsync<CountRow>(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken))).ToList();

        var snapshots = await Rows(SnapshotCountsSql);
        var mirrors = await Rows(MirrorCountsSql);
        var outbox = await Rows(OutboxCountsSql);
        var outcomes = await Rows(OutcomeCountsSql);
        var polls = await Rows(LastPollSql);
        var ids = (await connection.QueryAsync<string>(new CommandDefinition(LinkIdsSql, transaction: transaction, cancellationToken: cancellationToken)))
            .Concat(outbox.Select(r => r.LinkId))
            .Concat(outcomes.Select(r => r.LinkId))
            .Concat(snapshots.Select(r => r.LinkId))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

        var links = ids.Select(id =>
        {
            var pending = outbox.FirstOrDefault(r => r.LinkId == id);
            return new LinkStatus(
                id,
                snapshots.Where(r => r.LinkId == id).ToDictionary(r => StateDb.Parse<SystemId>(r.Key!), r => (int)r.Count),
                (int)(mirrors.FirstOrDefault(r => r.LinkId == id)?.Count ?? 0),
                (int)(pending?.Count ?? 0),
                StateDb.ParseTimeOrNull(pending?.At),
                outcomes.Where(r => r.LinkId == id).ToDictionary(r => StateDb.Parse<OutcomeKind>(r.Key!), r => (int)r.Count),
                polls.Where(r => r.LinkId == id).ToDictionary(r => StateDb.Parse<SystemId>(r.Key!), r => StateDb.ParseTime(r.At!)));
        }).ToList();
        return new StoreStatus(links);
    }
}
