using Dapper;
using MessageSync.Core.Contracts;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

public sealed partial class StateStore
{
    // Every consumer endpoint (one per system) records each change it receives in applied_changes, also when the system is
    // not a target of it. A change is therefore fully applied with one row per system, or one row for a targeted replay.
    private static readonly int SystemCount = Enum.GetValues<SystemId>().Length;

    private sealed class PendingRow
    {
        public long Sequence { get; set; }
        public string Payload { get; set; } = "{}";
        public string? AppliedTarget { get; set; }
    }

    // One row per (change, endpoint that recorded it), or one row with no endpoint; grouped below. A change is pending while
    // fewer endpoints recorded it than must: every system, or the one target of a replay.
    private const string ListUnappliedSql = """
        SELECT o.sequence AS Sequence, o.payload AS Payload, a.target AS AppliedTarget
        FROM outbox o LEFT JOIN applied_changes a ON a.change_id = o.message_id
        WHERE (SELECT COUNT(*) FROM applied_changes c WHERE c.change_id = o.message_id)
              < CASE WHEN o.target IS NULL THEN @Systems ELSE 1 END
        ORDER BY o.sequence;
        """;

    public async Task<IReadOnlyList<UnappliedChange>> ListUnappliedChangesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<PendingRow>(new CommandDefinition(ListUnappliedSql, new { Systems = SystemCount }, cancellationToken: cancellationToken));
        return rows.GroupBy(row => row.Sequence).Select(group => new UnappliedChange(
            group.Key,
            StateDb.FromJson<MessageChanged>(group.First().Payload),
            group.Where(row => row.AppliedTarget is not null).Select(row => StateDb.Parse<SystemId>(row.AppliedTarget!)).ToHashSet())).ToList();
    }

    private const string RequeueSql = """
        UPDATE outbox SET published_at = NULL WHERE published_at IS NOT NULL AND {in sequence @Sequences};
        """;

    public async Task<int> RequeueUnappliedAsync(CancellationToken cancellationToken = default)
    {
        var pending = await ListUnappliedChangesAsync(cancellationToken);
        if (pending.Count == 0)
        {
            return 0;
        }

        return await InTransactionAsync(
            async (connection, transaction) =>
            {
                var count = 0;
                foreach (var chunk in pending.Select(p => p.Sequence).Chunk(500))
                {
                    count += await connection.ExecuteAsync(new CommandDefinition(_dialect.Render(RequeueSql), new { Sequences = chunk }, transaction, cancellationToken: cancellationToken));
                }

                return count;
            },
            cancellationToken);
    }

    private sealed class OutcomeSourceRow
    {
        public string LinkId { get; set; } = "";
        public string? CanonicalId { get; set; }
        public string Target { get; set; } = "";
        public string? ChangeKind { get; set; }
        public string? Source { get; set; }
        public string Kind { get; set; } = "";
    }

    private const string OutcomeSourceSql = """
        SELECT o.link_id AS LinkId, o.canonical_id AS CanonicalId, o.target AS Target, o.change_kind AS ChangeKind, o.kind AS Kind,
               COALESCE(
                   (SELECT source_system FROM outbox WHERE canonical_id = o.canonical_id AND change_kind = o.change_kind ORDER BY sequence DESC LIMIT 1),
                   (SELECT origin_system FROM messages WHERE canonical_id = o.canonical_id)) AS Source
        FROM outcomes o WHERE o.id = @Id;
        """;

    private const string ResolveOutcomeSql = "UPDATE outcomes SET resolved_at = @Now WHERE id = @Id AND resolved_at IS NULL;";

    // A held deletion, released: what a confirmed vanishing commits (the message's row in the system it vanished from marked
    // deleted, the canonical copy deleted), then a deletion for every other system of the link.
    private const string ReleaseHeldDeletionSql = """
        UPDATE snapshots SET deleted = 1, seen_at = @Now
        WHERE link_id = @LinkId AND system = @System AND canonical_id = @CanonicalId AND is_note = 0;
        UPDATE messages SET deleted_at = @Now WHERE canonical_id = @CanonicalId AND deleted_at IS NULL;
        """;

    // A write of unknown result, replayed: the operator looked and found no copy, so the intents that made recovery look
    // (a create's, an edit note's row without an id) go, and the replayed change writes instead of asking again.
    private const string ForgetPossibleWriteSql = """
        DELETE FROM intents WHERE canonical_id = @CanonicalId AND system = @System AND action = 'create';
        DELETE FROM note_copies WHERE canonical_id = @CanonicalId AND system = @System AND external_id IS NULL;
        """;

    public async Task<MessageChanged?> ReplayOutcomeAsync(long outcomeId, CancellationToken cancellationToken = default) =>
        await InTransactionAsync<MessageChanged?>(
            async (connection, transaction) =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<OutcomeSourceRow>(new CommandDefinition(
                    OutcomeSourceSql, new { Id = outcomeId }, transaction, cancellationToken: cancellationToken));
                if (row?.CanonicalId is null || row.ChangeKind is null || row.Source is null)
                {
                    return null;
                }

                MessageChanged contract;
                if (StateDb.Parse<OutcomeKind>(row.Kind) == OutcomeKind.PossiblyWritten)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        ForgetPossibleWriteSql, new { row.CanonicalId, System = row.Target }, transaction, cancellationToken: cancellationToken));
                }

                if (StateDb.Parse<OutcomeKind>(row.Kind) == OutcomeKind.HeldDeletion)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        ReleaseHeldDeletionSql, new { row.LinkId, System = row.Target, row.CanonicalId, Now = Now() }, transaction, cancellationToken: cancellationToken));
                    contract = await AppendOutboxAsync(
                        connection, transaction, row.LinkId, ChangeKind.Deleted, Guid.Parse(row.CanonicalId),
                        StateDb.Parse<SystemId>(row.Target), _time.GetUtcNow(), target: null, Now(), cancellationToken);
                }
                else
                {
                    contract = await AppendOutboxAsync(
                        connection, transaction, row.LinkId, StateDb.Parse<ChangeKind>(row.ChangeKind), Guid.Parse(row.CanonicalId),
                        StateDb.Parse<SystemId>(row.Source), _time.GetUtcNow(), StateDb.Parse<SystemId>(row.Target), Now(), cancellationToken);
                }

                // The outcome is resolved by the replay; should it fail again, the consumer records a new outcome.
                await connection.ExecuteAsync(new CommandDefinition(ResolveOutcomeSql, new { Id = outcomeId, Now = Now() }, transaction, cancellationToken: cancellationToken));
                return contract;
            },
            cancellationToken);
}

/// <summary>An outbox row not yet applied by every consumer endpoint; <see cref="AppliedTargets"/> are those that did.</summary>
public sealed record UnappliedChange(long Sequence, MessageChanged Message, IReadOnlySet<SystemId> AppliedTargets);
