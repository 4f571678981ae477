using System.Data.Common;
using Dapper;
using MessageSync.Core.Contracts;
using MessageSync.Core.Detection;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

public sealed partial class StateStore
{
    private const string UpsertSnapshotSql = """
        INSERT INTO snapshots (link_id, system, external_id, canonical_id, content_hash, updated_stamp, deleted, redacted, is_note, seen_at)
        VALUES (@LinkId, @System, @ExternalId, @CanonicalId, @ContentHash, @UpdatedStamp, @Deleted, @Redacted, @IsNote, @SeenAt)
        ON CONFLICT (link_id, system, external_id) DO UPDATE SET
            content_hash = excluded.content_hash,
            updated_stamp = excluded.updated_stamp,
            deleted = CASE WHEN excluded.deleted = 1 THEN 1 ELSE snapshots.deleted END,
            redacted = CASE WHEN excluded.redacted = 1 THEN 1 ELSE snapshots.redacted END,
            seen_at = excluded.seen_at;
        """;

    // An echo of a write still in flight (SnapshotEntry.InsertOnly): the mapping's row, recorded meanwhile, keeps its baseline.
    private const string InsertSnapshotSql = """
        INSERT INTO snapshots (link_id, system, external_id, canonical_id, content_hash, updated_stamp, deleted, redacted, is_note, seen_at)
        VALUES (@LinkId, @System, @ExternalId, @CanonicalId, @ContentHash, @UpdatedStamp, @Deleted, @Redacted, @IsNote, @SeenAt)
        ON CONFLICT (link_id, system, external_id) DO NOTHING;
        """;

    // The canonical id is never rewritten (first writer wins): a mirror row recorded by the consumer keeps its message
    // even when a poll that raced it took the mirror for something new. Deleted and redacted are final.

    private const string FindKnownSql = """
        SELECT canonical_id FROM messages WHERE origin_system = @System AND origin_external_id = @ExternalId
        UNION ALL
        SELECT canonical_id FROM mappings WHERE system = @System AND external_id = @ExternalId
        UNION ALL
        SELECT canonical_id FROM snapshots
        WHERE link_id = @LinkId AND system = @System AND external_id = @ExternalId AND canonical_id <> @CanonicalId
        LIMIT 1;
        """;

    private const string InsertMessageSql = """
        INSERT INTO messages (canonical_id, link_id, origin_system, origin_external_id, kind, author, body_html, body_text,
                              attachments, created_at, edited_at, redacted_at, deleted_at)
        VALUES (@CanonicalId, @LinkId, @OriginSystem, @OriginExternalId, @Kind, @Author, @BodyHtml, @BodyText,
                @Attachments, @CreatedAt, @EditedAt, @RedactedAt, @DeletedAt);
        """;

    private const string LiveContentSql = """
        SELECT body_html AS BodyHtml, attachments AS Attachments FROM messages
        WHERE canonical_id = @CanonicalId AND redacted_at IS NULL AND deleted_at IS NULL;
        """;

    private const string EditMessageSql = """
        UPDATE messages SET body_html = @BodyHtml, body_text = @BodyText, attachments = @Attachments, edited_at = @EditedAt
        WHERE canonical_id = @CanonicalId AND redacted_at IS NULL AND deleted_at IS NULL;
        """;

    // A redaction removes the content from the canonical copy too: nothing downstream can resurrect it.
    private const string RedactMessageSql = """
        UPDATE messages SET body_html = '', body_text = '', attachments = '[]', redacted_at = @At
        WHERE canonical_id = @CanonicalId AND redacted_at IS NULL;
        """;

    private const string DeleteMessageSql = """
        UPDATE messages SET deleted_at = @At WHERE canonical_id = @CanonicalId AND deleted_at IS NULL;
        """;

    private const string NextLinkSequenceSql = """
        INSERT INTO link_sequences (link_id, last_sequence) VALUES (@LinkId, 1)
        ON CONFLICT (link_id) DO UPDATE SET last_sequence = link_sequences.last_sequence + 1
        RETURNING last_sequence;
        """;

    private const string InsertOutboxSql = """
        INSERT INTO outbox (link_id, link_sequence, message_id, change_kind, canonical_id, source_system, target, payload, created_at)
        VALUES (@LinkId, @LinkSequence, @MessageId, @ChangeKind, @CanonicalId, @SourceSystem, @Target, @Payload, @CreatedAt);
        """;

    private const string MoveCursorSql = """
        INSERT INTO cursors (link_id, system, cursor, updated_at) VALUES (@LinkId, @System, @Cursor, @Now)
        ON CONFLICT (link_id, system) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at;
        """;

    private const string TouchCursorSql = """
        INSERT INTO cursors (link_id, system, cursor, updated_at) VALUES (@LinkId, @System, NULL, @Now)
        ON CONFLICT (link_id, system) DO UPDATE SET updated_at = excluded.updated_at;
        """;

    private sealed class ContentRow
    {
        public string BodyHtml { get; set; } = "";
        public string Attachments { get; set; } = "[]";
    }

    // Why this is safe with several writers at once (SQLite serialises whole write transactions; PostgreSQL runs them at
    // READ COMMITTED, where each statement sees what was committed before it started and row locks are held to commit):
    // - Per-link sequence: the link_sequences upsert locks the link's row until commit, so a second commit of the same link
    //   waits there and then reads the first one's number. Sequences stay gapless (a rollback undoes the increment with the
    //   rest) and the outbox's global order agrees with each link's order, because the outbox row is inserted while the
    //   lock is held. Links never wait for each other.
    // - Echo check: the snapshot upserts run first. If the consumer's RecordMappingAsync (which writes the mirror's snapshot
    //   row before its mapping) got there first, the upsert waits on that row's uniqueness check until the mapping commits,
    //   and FindKnownSql, a later statement, then sees the mapping: the echo is suppressed. If this commit got there first,
    //   the mapping waits for it instead, exactly as SQLite orders the two; the detector's SyncId check (the marker the
    //   mirror carries) is what suppresses that ordering, on both engines.
    // - Two polls of one message (a new external id seen twice at once): the second snapshot upsert waits for the first
    //   commit, keeps the first canonical id (first writer wins), and FindKnownSql then finds it: one Created, not two.
    public async Task<ObservationCommitResult> CommitObservationAsync(ObservationCommit commit, CancellationToken cancellationToken = default)
    {
        var system = StateDb.System(commit.System);
        return await InTransactionAsync(
            async (connection, transaction) =>
            {
                await FenceAsync(connection, transaction, commit.Fence, cancellationToken);
                var now = Now();
                foreach (var entry in commit.Snapshots)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        entry.InsertOnly ? InsertSnapshotSql : UpsertSnapshotSql,
                        new
                        {
                            commit.LinkId,
                            System = system,
                            entry.ExternalId,
                            CanonicalId = StateDb.Id(entry.CanonicalId),
                            entry.ContentHash,
                            UpdatedStamp = StateDb.Time(entry.UpdatedStamp),
                            Deleted = entry.Deleted ? 1 : 0,
                            Redacted = entry.Redacted ? 1 : 0,
                            IsNote = entry.IsNote ? 1 : 0,
                            SeenAt = now,
                        },
                        transaction,
                        cancellationToken: cancellationToken));
                }

                var written = new List<MessageChanged>();
                var suppressed = 0;
                foreach (var change in commit.Changes)
                {
                    if (await ApplyChangeAsync(connection, transaction, commit, change, cancellationToken))
                    {
                        written.Add(await AppendOutboxAsync(connection, transaction, commit.LinkId, change.Kind, change.CanonicalId, commit.System, change.OccurredAt, null, now, cancellationToken));
                    }
                    else
                    {
                        suppressed++;
                    }
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    commit.UpdateCursor ? MoveCursorSql : TouchCursorSql,
                    new { commit.LinkId, System = system, commit.Cursor, Now = now },
                    transaction,
                    cancellationToken: cancellationToken));
                return new ObservationCommitResult(written, suppressed);
            },
            cancellationToken);
    }

    /// <summary>Applies one change to the canonical copy; false when it turns out to be an echo or to change nothing.</summary>
    private static async Task<bool> ApplyChangeAsync(
        DbConnection connection, DbTransaction transaction, ObservationCommit commit, DetectedChange change, CancellationToken cancellationToken)
    {
        var canonicalId = StateDb.Id(change.CanonicalId);
        switch (change.Kind)
        {
            case ChangeKind.Created:
            {
                var message = change.Message ?? throw new ArgumentException($"Created change {canonicalId} carries no message.", nameof(commit));
                var known = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                    FindKnownSql,
                    new { System = StateDb.System(commit.System), change.ExternalId, commit.LinkId, CanonicalId = canonicalId },
                    transaction,
                    cancellationToken: cancellationToken));
                if (known is not null)
                {
                    return false;
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    InsertMessageSql,
                    new
                    {
                        CanonicalId = canonicalId,
                        commit.LinkId,
                        OriginSystem = StateDb.System(commit.System),
                        OriginExternalId = change.ExternalId,
                        Kind = StateDb.Name(message.Kind),
                        Author = StateDb.ToJson(message.Author),
                        message.BodyHtml,
                        message.BodyText,
                        Attachments = StateDb.ToJson(message.Attachments),
                        CreatedAt = StateDb.Time(message.CreatedAt),
                        EditedAt = StateDb.Time(message.EditedAt),
                        RedactedAt = StateDb.Time(message.RedactedAt),
                        DeletedAt = StateDb.Time(message.DeletedAt),
                    },
                    transaction,
                    cancellationToken: cancellationToken));
                return true;
            }

            case ChangeKind.Edited:
            {
                var message = change.Message ?? throw new ArgumentException($"Edited change {canonicalId} carries no message.", nameof(commit));
                var current = await connection.QuerySingleOrDefaultAsync<ContentRow>(new CommandDefinition(
                    LiveContentSql, new { CanonicalId = canonicalId }, transaction, cancellationToken: cancellationToken));

                // Unknown, redacted or deleted canonical message, or the same content seen through another copy: no change.
                if (current is null
                    || MessageHash.Of(current.BodyHtml, StateDb.FromJson<List<Attachment>>(current.Attachments))
                        == MessageHash.Of(message.BodyHtml, message.Attachments))
                {
                    return false;
                }

                return await connection.ExecuteAsync(new CommandDefinition(
                    EditMessageSql,
                    new
                    {
                        CanonicalId = canonicalId,
                        message.BodyHtml,
                        message.BodyText,
                        Attachments = StateDb.ToJson(message.Attachments),
                        EditedAt = StateDb.Time(change.OccurredAt),
                    },
                    transaction,
                    cancellationToken: cancellationToken)) > 0;
            }

            case ChangeKind.Redacted:
                return await connection.ExecuteAsync(new CommandDefinition(
                    RedactMessageSql, new { CanonicalId = canonicalId, At = StateDb.Time(change.OccurredAt) }, transaction, cancellationToken: cancellationToken)) > 0;

            case ChangeKind.Deleted:
                return await connection.ExecuteAsync(new CommandDefinition(
                    DeleteMessageSql, new { CanonicalId = canonicalId, At = StateDb.Time(change.OccurredAt) }, transaction, cancellationToken: cancellationToken)) > 0;

            default:
                throw new ArgumentOutOfRangeException(nameof(commit), change.Kind, "Unknown change kind.");
        }
    }

    /// <summary>Appends one outbox row with the link's next sequence, in the caller's transaction (detection and replay).</summary>
    private async Task<MessageChanged> AppendOutboxAsync(
        DbConnection connection, DbTransaction transaction, string linkId, ChangeKind kind, Guid canonicalId, SystemId source,
        DateTimeOffset occurredAt, SystemId? target, string now, CancellationToken cancellationToken)
    {
        var sequence = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            NextLinkSequenceSql, new { LinkId = linkId }, transaction, cancellationToken: cancellationToken));
        var contract = new MessageChanged(Guid.CreateVersion7(_time.GetUtcNow()), linkId, sequence, kind, canonicalId, source, occurredAt, target)
        {
            TraceParent = Engine.SyncActivities.CurrentTraceParent(),
        };
        await connection.ExecuteAsync(new CommandDefinition(
            InsertOutboxSql,
            new
            {
                LinkId = linkId,
                LinkSequence = sequence,
                MessageId = StateDb.Id(contract.ChangeId),
                ChangeKind = StateDb.Name(kind),
                CanonicalId = StateDb.Id(canonicalId),
                SourceSystem = StateDb.System(source),
                Target = target is { } only ? StateDb.System(only) : null,
                Payload = StateDb.ToJson(contract),
                CreatedAt = now,
            },
            transaction,
            cancellationToken: cancellationToken));
        return contract;
    }

    // ---- Canonical messages ---------------------------------------------------------------------------------------

    private sealed class MessageRow
    {
        public string CanonicalId { get; set; } = "";
        public string LinkId { get; set; } = "";
        public string OriginSystem { get; set; } = "";
        public string OriginExternalId { get; set; } = "";
        public string Kind { get; set; } = "";
        public string Author { get; set; } = "{}";
        public string BodyHtml { get; set; } = "";
        public string BodyText { get; set; } = "";
        public string Attachments { get; set; } = "[]";
        public string CreatedAt { get; set; } = "";
        public string? EditedAt { get; set; }
        public string? RedactedAt { get; set; }
        public string? DeletedAt { get; set; }
    }

    private const string GetMessageSql = """
        SELECT canonical_id AS CanonicalId, link_id AS LinkId, origin_system AS OriginSystem, origin_external_id AS OriginExternalId,
               kind AS Kind, author AS Author, body_html AS BodyHtml, body_text AS BodyText, attachments AS Attachments,
               created_at AS CreatedAt, edited_at AS EditedAt, redacted_at AS RedactedAt, deleted_at AS DeletedAt
        FROM messages WHERE canonical_id = @CanonicalId;
        """;

    public async Task<CanonicalMessage?> GetMessageAsync(Guid canonicalId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<MessageRow>(new CommandDefinition(
            GetMessageSql, new { CanonicalId = StateDb.Id(canonicalId) }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new CanonicalMessage
            {
                Id = Guid.Parse(row.CanonicalId),
                LinkId = row.LinkId,
                Origin = new MessageOrigin(StateDb.Parse<SystemId>(row.OriginSystem), row.OriginExternalId),
                Author = StateDb.FromJson<Author>(row.Author),
                Kind = StateDb.Parse<MessageKind>(row.Kind),
                BodyHtml = row.BodyHtml,
                BodyText = row.BodyText,
                Attachments = StateDb.FromJson<List<Attachment>>(row.Attachments),
                CreatedAt = StateDb.ParseTime(row.CreatedAt),
                EditedAt = StateDb.ParseTimeOrNull(row.EditedAt),
                RedactedAt = StateDb.ParseTimeOrNull(row.RedactedAt),
                DeletedAt = StateDb.ParseTimeOrNull(row.DeletedAt),
            };
    }

    // ---- Outbox ---------------------------------------------------------------------------------------------------

    private sealed class OutboxRow
    {
        public long Sequence { get; set; }
        public string Payload { get; set; } = "{}";
        public string CreatedAt { get; set; } = "";
        public string? PublishedAt { get; set; }
    }

    // Global sequence order keeps each link's changes in their per-link order.
    private const string GetUnpublishedSql = """
        SELECT sequence AS Sequence, payload AS Payload, created_at AS CreatedAt, published_at AS PublishedAt
        FROM outbox WHERE published_at IS NULL ORDER BY sequence LIMIT @Max;
        """;

    public async Task<IReadOnlyList<OutboxEntry>> GetUnpublishedAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<OutboxRow>(new CommandDefinition(GetUnpublishedSql, new { Max = max }, cancellationToken: cancellationToken));
        return rows.Select(row => new OutboxEntry(
            row.Sequence,
            StateDb.FromJson<MessageChanged>(row.Payload),
            StateDb.ParseTime(row.CreatedAt),
            StateDb.ParseTimeOrNull(row.PublishedAt))).ToList();
    }

    private const string MarkPublishedSql = "UPDATE outbox SET published_at = @Now WHERE {in sequence @Sequences} AND published_at IS NULL;";

    public async Task MarkPublishedAsync(IEnumerable<long> sequences, CancellationToken cancellationToken = default)
    {
        var list = sequences.Distinct().ToList();
        if (list.Count == 0)
        {
            return;
        }

        await InTransactionAsync(
            async (connection, transaction) =>
            {
                var now = Now();
                var marked = 0;

                // SQLite limits host parameters per statement; a relay batch is small, but chunk to be safe.
                foreach (var chunk in list.Chunk(500))
                {
                    marked += await connection.ExecuteAsync(new CommandDefinition(
                        _dialect.Render(MarkPublishedSql), new { Now = now, Sequences = chunk }, transaction, cancellationToken: cancellationToken));
                }

                return marked;
            },
            cancellationToken);
    }
}
