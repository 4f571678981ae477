using Dapper;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

public sealed partial class StateStore
{
    private sealed class MappingRow
    {
        public string CanonicalId { get; set; } = "";
        public string System { get; set; } = "";
        public string ExternalId { get; set; } = "";
        public string TargetKind { get; set; } = "";
        public string CreatedAt { get; set; } = "";
        public long IsOrigin { get; set; }
    }

    // A mirror first; failing that the origin, when the target is the system the message was written in (a person's
    // edit of a mirror then reaches the original like any other copy).
    private const string GetMappingSql = """
        SELECT canonical_id AS CanonicalId, system AS System, external_id AS ExternalId, target_kind AS TargetKind,
               created_at AS CreatedAt, 0 AS IsOrigin
        FROM mappings WHERE canonical_id = @CanonicalId AND system = @System
        UNION ALL
        SELECT canonical_id, origin_system, origin_external_id, kind, created_at, 1
        FROM messages WHERE canonical_id = @CanonicalId AND origin_system = @System
        ORDER BY IsOrigin LIMIT 1;
        """;

    public async Task<MappingEntry?> GetMappingAsync(Guid canonicalId, SystemId target, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<MappingRow>(new CommandDefinition(
            GetMappingSql, new { CanonicalId = StateDb.Id(canonicalId), System = StateDb.System(target) }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new MappingEntry(
                Guid.Parse(row.CanonicalId),
                StateDb.Parse<SystemId>(row.System),
                row.ExternalId,
                StateDb.Parse<MessageKind>(row.TargetKind),
                StateDb.ParseTime(row.CreatedAt),
                row.IsOrigin != 0);
    }

    // The first intent's marker stays: it is what may already be in the target if an earlier attempt died mid-write.
    private const string RecordIntentSql = """
        INSERT INTO intents (canonical_id, system, action, marker, created_at) VALUES (@CanonicalId, @System, @Action, @Marker, @Now)
        ON CONFLICT (canonical_id, system, action) DO NOTHING;
        """;

    public async Task RecordIntentAsync(Guid canonicalId, SystemId target, WriteAction action, string marker, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            RecordIntentSql,
            new { CanonicalId = StateDb.Id(canonicalId), System = StateDb.System(target), Action = StateDb.Name(action), Marker = marker, Now = Now() },
            cancellationToken: cancellationToken));
    }

    private sealed class IntentRow
    {
        public string CanonicalId { get; set; } = "";
        public string System { get; set; } = "";
        public string Action { get; set; } = "";
        public string Marker { get; set; } = "";
        public string CreatedAt { get; set; } = "";
    }

    private const string IntentColumns = "canonical_id AS CanonicalId, system AS System, action AS Action, marker AS Marker, created_at AS CreatedAt";

    private const string GetIntentSql = $"""
        SELECT {IntentColumns} FROM intents WHERE canonical_id = @CanonicalId AND system = @System AND action = @Action;
        """;

    public async Task<IntentEntry?> GetIntentAsync(Guid canonicalId, SystemId target, WriteAction action, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<IntentRow>(new CommandDefinition(
            GetIntentSql,
            new { CanonicalId = StateDb.Id(canonicalId), System = StateDb.System(target), Action = StateDb.Name(action) },
            cancellationToken: cancellationToken));
        return row is null ? null : ToIntent(row);
    }

    private const string DropIntentSql = """
        DELETE FROM intents WHERE canonical_id = @CanonicalId AND system = @System AND action = @Action;
        """;

    public async Task DropIntentAsync(Guid canonicalId, SystemId target, WriteAction action, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            DropIntentSql,
            new { CanonicalId = StateDb.Id(canonicalId), System = StateDb.System(target), Action = StateDb.Name(action) },
            cancellationToken: cancellationToken));
    }

    private static IntentEntry ToIntent(IntentRow row) => new(
        Guid.Parse(row.CanonicalId),
        StateDb.Parse<SystemId>(row.System),
        StateDb.Parse<WriteAction>(row.Action),
        row.Marker,
        StateDb.ParseTime(row.CreatedAt));

    // One command, three statements, in this order: the mirror's snapshot row first, so that a poll committing at the same
    // time meets that row (and waits for this transaction) before it looks for the mapping (see CommitObservationAsync).
    // The snapshot row's hash is the baseline of the copy as written (null: the next read is adopted as it is), so the next
    // read tells the target's rendering of our write from a person's edit of it. The WHERE before ON CONFLICT is required
    // by SQLite's grammar for INSERT ... SELECT ... ON CONFLICT.
    private const string RecordMappingSql = """
        INSERT INTO snapshots (link_id, system, external_id, canonical_id, content_hash, updated_stamp, deleted, redacted, seen_at)
        SELECT link_id, @System, @ExternalId, canonical_id, @Baseline, NULL, 0, 0, @Now FROM messages WHERE canonical_id = @CanonicalId
        ON CONFLICT (link_id, system, external_id) DO UPDATE SET canonical_id = excluded.canonical_id, content_hash = excluded.content_hash;

        INSERT INTO mappings (canonical_id, system, external_id, target_kind, created_at)
        VALUES (@CanonicalId, @System, @ExternalId, @TargetKind, @Now)
        ON CONFLICT (canonical_id, system) DO UPDATE SET external_id = excluded.external_id, target_kind = excluded.target_kind;

        DELETE FROM intents WHERE canonical_id = @CanonicalId AND system = @System AND action = @Action;
        """;

    public async Task RecordMappingAsync(
        Guid canonicalId, SystemId target, string externalId, MessageKind targetKind, string? baseline, CancellationToken cancellationToken = default)
    {
        var args = new
        {
            CanonicalId = StateDb.Id(canonicalId),
            System = StateDb.System(target),
            ExternalId = externalId,
            TargetKind = StateDb.Name(targetKind),
            Baseline = baseline,
            Action = StateDb.Name(WriteAction.Create),
            Now = Now(),
        };
        await InTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(RecordMappingSql, args, transaction, cancellationToken: cancellationToken)),
            cancellationToken);
    }

    private const string RecordMirrorChangedSql = """
        DELETE FROM intents WHERE canonical_id = @CanonicalId AND system = @System AND action = @Action;

        UPDATE snapshots SET content_hash = @Baseline, seen_at = @Now,
            redacted = CASE WHEN @Redacted = 1 THEN 1 ELSE redacted END,
            deleted = CASE WHEN @Deleted = 1 THEN 1 ELSE deleted END
        WHERE system = @System AND canonical_id = @CanonicalId AND external_id = @ExternalId;
        """;

    public async Task RecordMirrorChangedAsync(
        Guid canonicalId, SystemId target, string externalId, WriteAction action, string? baseline = null, CancellationToken cancellationToken = default)
    {
        var args = new
        {
            ExternalId = externalId,
            Baseline = baseline,
            CanonicalId = StateDb.Id(canonicalId),
            System = StateDb.System(target),
            Action = StateDb.Name(action),
            Redacted = action == WriteAction.Redact ? 1 : 0,
            Deleted = action == WriteAction.Delete ? 1 : 0,
            Now = Now(),
        };
        await InTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(RecordMirrorChangedSql, args, transaction, cancellationToken: cancellationToken)),
            cancellationToken);
    }

    private sealed class CopyRow
    {
        public string ExternalId { get; set; } = "";
        public long IsNote { get; set; }
        public long Redacted { get; set; }
        public long Deleted { get; set; }
    }

    private const string GetCopiesSql = """
        SELECT s.external_id AS ExternalId, s.is_note AS IsNote, s.redacted AS Redacted, s.deleted AS Deleted
        FROM snapshots s JOIN messages m ON m.canonical_id = s.canonical_id AND m.link_id = s.link_id
        WHERE s.canonical_id = @CanonicalId AND s.system = @System
        ORDER BY s.is_note, s.seen_at, s.external_id;
        """;

    public async Task<IReadOnlyList<CopyEntry>> GetCopiesAsync(Guid canonicalId, SystemId system, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<CopyRow>(new CommandDefinition(
            GetCopiesSql, new { CanonicalId = StateDb.Id(canonicalId), System = StateDb.System(system) }, cancellationToken: cancellationToken));
        return rows.Select(r => new CopyEntry(r.ExternalId, r.IsNote != 0, r.Redacted != 0, r.Deleted != 0)).ToList();
    }

    private sealed class NoteCopyRow
    {
        public string ChangeId { get; set; } = "";
        public string System { get; set; } = "";
        public string CanonicalId { get; set; } = "";
        public string? ExternalId { get; set; }
        public string? CreatedAt { get; set; }
    }

    private const string GetNoteCopySql = """
        SELECT change_id AS ChangeId, system AS System, canonical_id AS CanonicalId, external_id AS ExternalId, created_at AS CreatedAt
        FROM note_copies WHERE change_id = @ChangeId AND system = @System;
        """;

    public async Task<NoteCopy?> GetNoteCopyAsync(Guid changeId, SystemId target, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<NoteCopyRow>(new CommandDefinition(
            GetNoteCopySql, new { ChangeId = StateDb.Id(changeId), System = StateDb.System(target) }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new NoteCopy(Guid.Parse(row.ChangeId), StateDb.Parse<SystemId>(row.System), Guid.Parse(row.CanonicalId), row.ExternalId)
            {
                CreatedAt = StateDb.ParseTimeOrNull(row.CreatedAt),
            };
    }

    private const string RecordNoteIntentSql = """
        INSERT INTO note_copies (change_id, system, canonical_id, external_id, created_at) VALUES (@ChangeId, @System, @CanonicalId, NULL, @Now)
        ON CONFLICT (change_id, system) DO NOTHING;
        """;

    public async Task RecordNoteIntentAsync(Guid changeId, SystemId target, Guid canonicalId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            RecordNoteIntentSql,
            new { ChangeId = StateDb.Id(changeId), System = StateDb.System(target), CanonicalId = StateDb.Id(canonicalId), Now = Now() },
            cancellationToken: cancellationToken));
    }

    // The note's snapshot row first, as RecordMappingSql does for a mirror (a poll committing at the same time meets it).
    private const string RecordNoteCopySql = """
        INSERT INTO snapshots (link_id, system, external_id, canonical_id, content_hash, updated_stamp, deleted, redacted, is_note, seen_at)
        SELECT link_id, @System, @ExternalId, canonical_id, @Baseline, NULL, 0, 0, 1, @Now FROM messages WHERE canonical_id = @CanonicalId
        ON CONFLICT (link_id, system, external_id) DO UPDATE SET canonical_id = excluded.canonical_id, content_hash = excluded.content_hash, is_note = 1;

        INSERT INTO note_copies (change_id, system, canonical_id, external_id, created_at) VALUES (@ChangeId, @System, @CanonicalId, @ExternalId, @Now)
        ON CONFLICT (change_id, system) DO UPDATE SET external_id = excluded.external_id;
        """;

    public async Task RecordNoteCopyAsync(
        Guid changeId, SystemId target, Guid canonicalId, string externalId, string? baseline, CancellationToken cancellationToken = default)
    {
        var args = new
        {
            ChangeId = StateDb.Id(changeId),
            System = StateDb.System(target),
            CanonicalId = StateDb.Id(canonicalId),
            ExternalId = externalId,
            Baseline = baseline,
            Now = Now(),
        };
        await InTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(RecordNoteCopySql, args, transaction, cancellationToken: cancellationToken)),
            cancellationToken);
    }

    private const string IsAppliedSql = "SELECT COUNT(*) FROM applied_changes WHERE change_id = @ChangeId AND target = @Target;";

    public async Task<bool> IsChangeAppliedAsync(Guid changeId, SystemId target, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            IsAppliedSql, new { ChangeId = StateDb.Id(changeId), Target = StateDb.System(target) }, cancellationToken: cancellationToken)) > 0;
    }

    // The first result stays: a redelivery that finds the change done must not overwrite what was done.
    private const string MarkAppliedSql = """
        INSERT INTO applied_changes (change_id, target, result, applied_at) VALUES (@ChangeId, @Target, @Result, @Now)
        ON CONFLICT (change_id, target) DO NOTHING;
        """;

    private const string CompleteChangeSql = ResolveSql + "\n" + MarkAppliedSql;

    public async Task CompleteChangeAsync(Guid changeId, Guid canonicalId, SystemId target, string result, CancellationToken cancellationToken = default)
    {
        var args = new { ChangeId = StateDb.Id(changeId), CanonicalId = StateDb.Id(canonicalId), Target = StateDb.System(target), Result = result, Now = Now() };
        await InTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(CompleteChangeSql, args, transaction, cancellationToken: cancellationToken)),
            cancellationToken);
    }

    public async Task MarkChangeAppliedAsync(Guid changeId, SystemId target, string result, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            MarkAppliedSql,
            new { ChangeId = StateDb.Id(changeId), Target = StateDb.System(target), Result = result, Now = Now() },
            cancellationToken: cancellationToken));
    }
}
