using Dapper;
using MessageSync.Core.Model;

namespace MessageSync.Core.State;

// What the engine learned about each system's handling of our marker (issue 9.6), and the write intents of edit notes
// that never left.
public sealed partial class StateStore
{
    private sealed class MarkerKeepingRow
    {
        public string System { get; set; } = "";
        public long Keeps { get; set; }
        public string Evidence { get; set; } = "";
        public string ObservedAt { get; set; } = "";
    }

    private const string GetMarkerKeepingSql = """
        SELECT system AS System, keeps AS Keeps, evidence AS Evidence, observed_at AS ObservedAt FROM system_markers WHERE system = @System;
        """;

    public async Task<MarkerKeeping?> GetMarkerKeepingAsync(SystemId system, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<MarkerKeepingRow>(new CommandDefinition(
            GetMarkerKeepingSql, new { System = StateDb.System(system) }, cancellationToken: cancellationToken));
        return row is null ? null : new MarkerKeeping(system, row.Keeps != 0, row.Evidence, StateDb.ParseTime(row.ObservedAt));
    }

    // The latest observation wins: a product that starts stripping markers is believed from its first stripped copy on.
    private const string RecordMarkerKeepingSql = """
        INSERT INTO system_markers (system, keeps, evidence, observed_at) VALUES (@System, @Keeps, @Evidence, @Now)
        ON CONFLICT (system) DO UPDATE SET keeps = excluded.keeps, evidence = excluded.evidence, observed_at = excluded.observed_at;
        """;

    public async Task RecordMarkerKeepingAsync(SystemId system, bool keeps, string evidence, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            RecordMarkerKeepingSql, new { System = StateDb.System(system), Keeps = keeps ? 1 : 0, Evidence = evidence, Now = Now() },
            cancellationToken: cancellationToken));
    }

    // Links whose conversation in the system holds mirrors of ours (mappings), the most recently written first.
    private const string GetLinksWithCopiesSql = """
        SELECT m.link_id FROM mappings p JOIN messages m ON m.canonical_id = p.canonical_id
        WHERE p.system = @System AND m.link_id <> @Except
        GROUP BY m.link_id ORDER BY MAX(p.created_at) DESC LIMIT @Limit;
        """;

    public async Task<IReadOnlyList<string>> GetLinksWithCopiesAsync(SystemId system, string exceptLinkId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            GetLinksWithCopiesSql, new { System = StateDb.System(system), Except = exceptLinkId, Limit = limit }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    private const string DropNoteIntentSql = """
        DELETE FROM note_copies WHERE change_id = @ChangeId AND system = @System AND external_id IS NULL;
        """;

    public async Task DropNoteIntentAsync(Guid changeId, SystemId target, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            DropNoteIntentSql, new { ChangeId = StateDb.Id(changeId), System = StateDb.System(target) }, cancellationToken: cancellationToken));
    }
}
