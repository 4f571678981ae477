using Dapper;
using MessageSync.Core.Contracts;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

/// <summary>Retention (issue 13.2): what the store may forget, and the de-duplication that survives the forgetting.</summary>
public sealed partial class StateStore
{
    // A change is handled for a target when the target recorded it, or when retention removed it: retention removes a
    // link's changes only as a prefix of its sequence every endpoint had applied, and remembers how far (pruned_through),
    // so a redelivery of a removed change (a broker's, long after) is still recognised and never applied twice.
    private const string IsHandledSql = """
        SELECT (SELECT COUNT(*) FROM applied_changes WHERE change_id = @ChangeId AND target = @Target)
             + (SELECT COUNT(*) FROM link_sequences WHERE link_id = @LinkId AND pruned_through >= @Sequence);
        """;

    public async Task<bool> IsChangeAppliedAsync(MessageChanged change, SystemId target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            IsHandledSql,
            new { ChangeId = StateDb.Id(change.ChangeId), Target = StateDb.System(target), change.LinkId, change.Sequence },
            cancellationToken: cancellationToken)) > 0;
    }

    // Links with outbox rows: read off the (link_id, link_sequence) unique index.
    private const string OutboxLinksSql = "SELECT DISTINCT link_id FROM outbox;";

    // The first change of a link that must stay: not yet published, too young, or not applied by every endpoint that must
    // (every system, or the one target of a replay; the same rule as ListUnappliedSql). Everything before it may go.
    private const string FirstKeptSql = """
        SELECT MIN(o.link_sequence) FROM outbox o
        WHERE o.link_id = @LinkId
          AND (o.published_at IS NULL OR o.created_at >= @Cutoff
               OR (SELECT COUNT(*) FROM applied_changes c WHERE c.change_id = o.message_id) < CASE WHEN o.target IS NULL THEN @Systems ELSE 1 END);
        """;

    private const string PrunableSql = """
        SELECT sequence AS Sequence, message_id AS MessageId, link_sequence AS LinkSequence FROM outbox
        WHERE link_id = @LinkId AND link_sequence < @Stop ORDER BY link_sequence LIMIT @Batch;
        """;

    private const string RaiseWatermarkSql = """
        UPDATE link_sequences SET pruned_through = @Through WHERE link_id = @LinkId AND pruned_through < @Through;
        """;

    private const string DeleteAppliedSql = "DELETE FROM applied_changes WHERE {in change_id @Ids};";

    private const string DeleteOutboxSql = "DELETE FROM outbox WHERE {in sequence @Sequences};";

    // Resolved or acknowledged outcomes: an operator saw them or a later write cured them. Open ones are never removed.
    private const string DeleteOutcomesSql = """
        DELETE FROM outcomes WHERE id IN (
            SELECT id FROM outcomes
            WHERE (resolved_at IS NOT NULL AND resolved_at < @Cutoff) OR (acknowledged_at IS NOT NULL AND acknowledged_at < @Cutoff)
            ORDER BY id LIMIT @Batch);
        """;

    // The canonical copy of a message deleted everywhere long ago keeps its row (ids, mappings and echo suppression need
    // it) but not its text: nothing will be written from it again. Kept while a change of it is still in the outbox, while
    // an outcome about it is open (a replay reads it), or while any copy of it is still present somewhere.
    private const string ForgetDeletedTextSql = """
        UPDATE messages SET body_html = '', body_text = '', attachments = '[]'
        WHERE canonical_id IN (
            SELECT m.canonical_id FROM messages m
            WHERE m.deleted_at IS NOT NULL AND m.deleted_at < @Cutoff AND (m.body_html <> '' OR m.body_text <> '' OR m.attachments <> '[]')
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.canonical_id = m.canonical_id)
              AND NOT EXISTS (SELECT 1 FROM outcomes c WHERE c.canonical_id = m.canonical_id AND c.resolved_at IS NULL AND c.acknowledged_at IS NULL)
              AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.canonical_id = m.canonical_id AND s.deleted = 0)
            LIMIT @Batch);
        """;

    private sealed class PrunableRow
    {
        public long Sequence { get; set; }
        public string MessageId { get; set; } = "";
        public long LinkSequence { get; set; }
    }

    public async Task<PruneResult> PruneAsync(RetentionCutoffs cutoffs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        if (cutoffs.BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(cutoffs), "The batch size must be at least 1.");
        }

        List<string> links;
        await using (var connection = await OpenAsync(cancellationToken))
        {
            links = (await connection.QueryAsync<string>(new CommandDefinition(OutboxLinksSql, cancellationToken: cancellationToken))).ToList();
        }

        long outbox = 0, applied = 0;
        foreach (var link in links)
        {
            // Short transactions, one batch each: a writer never waits long behind retention.
            while (true)
            {
                var (rows, appliedRows) = await PruneOutboxBatchAsync(link, StateDb.Time(cutoffs.Changes), cutoffs.BatchSize, cancellationToken);
                outbox += rows;
                applied += appliedRows;
                if (rows < cutoffs.BatchSize)
                {
                    break;
                }
            }
        }

        var outcomes = await RepeatAsync(DeleteOutcomesSql, StateDb.Time(cutoffs.Outcomes), cutoffs.BatchSize, cancellationToken);
        var texts = await RepeatAsync(ForgetDeletedTextSql, StateDb.Time(cutoffs.DeletedMessages), cutoffs.BatchSize, cancellationToken);
        return new PruneResult(outbox, applied, outcomes, texts);
    }

    private Task<(int Outbox, int Applied)> PruneOutboxBatchAsync(string linkId, string cutoff, int batch, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                // Read inside the write transaction: what it decides cannot change before the rows go.
                var firstKept = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                    FirstKeptSql, new { LinkId = linkId, Cutoff = cutoff, Systems = SystemCount }, transaction, cancellationToken: cancellationToken));
                var rows = (await connection.QueryAsync<PrunableRow>(new CommandDefinition(
                    PrunableSql, new { LinkId = linkId, Stop = firstKept ?? long.MaxValue, Batch = batch }, transaction, cancellationToken: cancellationToken))).ToList();
                if (rows.Count == 0)
                {
                    return (0, 0);
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    RaiseWatermarkSql, new { LinkId = linkId, Through = rows[^1].LinkSequence }, transaction, cancellationToken: cancellationToken));
                var applied = await connection.ExecuteAsync(new CommandDefinition(
                    _dialect.Render(DeleteAppliedSql), new { Ids = rows.Select(r => r.MessageId).ToArray() }, transaction, cancellationToken: cancellationToken));
                var deleted = await connection.ExecuteAsync(new CommandDefinition(
                    _dialect.Render(DeleteOutboxSql), new { Sequences = rows.Select(r => r.Sequence).ToArray() }, transaction, cancellationToken: cancellationToken));
                return (deleted, applied);
            },
            cancellationToken);

    private async Task<long> RepeatAsync(string sql, string cutoff, int batch, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            var count = await InTransactionAsync(
                (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(sql, new { Cutoff = cutoff, Batch = batch }, transaction, cancellationToken: cancellationToken)),
                cancellationToken);
            total += count;
            if (count < batch)
            {
                return total;
            }
        }
    }
}
