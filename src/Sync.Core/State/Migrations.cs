using System.Data.Common;
using Dapper;

namespace MessageSync.Core.State;

/// <summary>
/// One forward-only schema step, written once for every engine (<see cref="StateDialect.Render"/> spells its two tokens).
/// Versions are never reused and never edited once released: add a new one.
/// </summary>
public sealed record Migration(int Version, string Sql);

/// <summary>The database was written by a newer MessageSync than this one; running on would corrupt it.</summary>
public sealed class StateStoreVersionException(string location, int databaseVersion, int supportedVersion)
    : Exception($"The state database {location} is at schema version {databaseVersion}, but this build of MessageSync knows versions up to {supportedVersion}. Run a newer MessageSync or point Sync:State at another database.")
{
    public int DatabaseVersion { get; } = databaseVersion;
    public int SupportedVersion { get; } = supportedVersion;
}

/// <summary>The schema, as numbered forward-only migrations (DESIGN.md, "State store").</summary>
public static class Migrations
{
    private const string V1 = """
        CREATE TABLE links (
            id                 TEXT PRIMARY KEY,
            pylon_issue_id     TEXT NULL,
            helpdesk_ticket_id TEXT NULL,
            cord_thread_id     TEXT NULL,
            options            TEXT NOT NULL,            -- JSON: CordThreadCustomerVisible, CordAgentUserIds, DeliverRepliesVia
            source             TEXT NOT NULL DEFAULT 'store',
            created_at         TEXT NOT NULL,
            updated_at         TEXT NOT NULL
        );

        CREATE TABLE cursors (
            link_id    TEXT NOT NULL,
            system     TEXT NOT NULL,
            cursor     TEXT NULL,
            updated_at TEXT NOT NULL,                    -- last poll of (link, system)
            PRIMARY KEY (link_id, system)
        );

        -- The canonical copy every consumer reads (the bus carries only ids).
        CREATE TABLE messages (
            canonical_id       TEXT PRIMARY KEY,
            link_id            TEXT NOT NULL,
            origin_system      TEXT NOT NULL,
            origin_external_id TEXT NOT NULL,
            kind               TEXT NOT NULL,
            author             TEXT NOT NULL,            -- JSON
            body_html          TEXT NOT NULL,
            body_text          TEXT NOT NULL,
            attachments        TEXT NOT NULL,            -- JSON array
            created_at         TEXT NOT NULL,
            edited_at          TEXT NULL,
            redacted_at        TEXT NULL,
            deleted_at         TEXT NULL,
            UNIQUE (origin_system, origin_external_id)
        );
        CREATE INDEX ix_messages_link ON messages (link_id);

        CREATE TABLE snapshots (
            link_id       TEXT NOT NULL,
            system        TEXT NOT NULL,
            external_id   TEXT NOT NULL,
            canonical_id  TEXT NOT NULL,
            content_hash  TEXT NULL,                     -- NULL: a baseline we wrote ourselves, adopted on the next read
            updated_stamp TEXT NULL,
            deleted       INTEGER NOT NULL DEFAULT 0,
            redacted      INTEGER NOT NULL DEFAULT 0,
            seen_at       TEXT NOT NULL,
            PRIMARY KEY (link_id, system, external_id)
        );
        CREATE INDEX ix_snapshots_canonical ON snapshots (canonical_id, system);

        CREATE TABLE mappings (
            canonical_id TEXT NOT NULL REFERENCES messages (canonical_id),
            system       TEXT NOT NULL,
            external_id  TEXT NOT NULL,
            target_kind  TEXT NOT NULL,
            content_hash TEXT NULL,
            created_at   TEXT NOT NULL,
            PRIMARY KEY (canonical_id, system)
        );
        CREATE INDEX ix_mappings_external ON mappings (system, external_id);

        CREATE TABLE intents (
            canonical_id TEXT NOT NULL REFERENCES messages (canonical_id),
            system       TEXT NOT NULL,
            action       TEXT NOT NULL,
            marker       TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            PRIMARY KEY (canonical_id, system, action)
        );

        CREATE TABLE link_sequences (
            link_id       TEXT PRIMARY KEY,
            last_sequence BIGINT NOT NULL
        );

        CREATE TABLE outbox (
            sequence      {identity},
            link_id       TEXT NOT NULL,
            link_sequence BIGINT NOT NULL,
            message_id    TEXT NOT NULL UNIQUE,
            change_kind   TEXT NOT NULL,
            canonical_id  TEXT NOT NULL REFERENCES messages (canonical_id),
            source_system TEXT NOT NULL,
            payload       TEXT NOT NULL,                 -- JSON of the MessageChanged contract
            created_at    TEXT NOT NULL,
            published_at  TEXT NULL,
            UNIQUE (link_id, link_sequence)
        );
        CREATE INDEX ix_outbox_unpublished ON outbox (sequence) WHERE published_at IS NULL;

        -- Consumer-side de-duplication: a change delivered twice (relay re-publish after a crash, broker redelivery) is applied once.
        CREATE TABLE applied_changes (
            change_id  TEXT NOT NULL,
            target     TEXT NOT NULL,
            result     TEXT NOT NULL,
            applied_at TEXT NOT NULL,
            PRIMARY KEY (change_id, target)
        );

        CREATE TABLE outcomes (
            id              {identity},
            link_id         TEXT NOT NULL,
            canonical_id    TEXT NULL,
            target          TEXT NOT NULL,
            kind            TEXT NOT NULL CHECK (kind IN ('parked', 'unpropagated_redaction', 'faulted', 'skipped')),
            change_kind     TEXT NULL,
            reason          TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            acknowledged_at TEXT NULL,
            resolved_at     TEXT NULL
        );
        CREATE INDEX ix_outcomes_open ON outcomes (link_id, kind) WHERE acknowledged_at IS NULL AND resolved_at IS NULL;
        CREATE INDEX ix_outcomes_target ON outcomes (canonical_id, target);
        """;

    // mappings.content_hash was never written: recovery compares content in the target (IMessageSystem.FindMirrorAsync).
    // A replay's target becomes a column, so "applied by every endpoint that must" is one indexed query on both engines.
    private const string V2 = """
        ALTER TABLE mappings DROP COLUMN content_hash;
        ALTER TABLE outbox ADD COLUMN target TEXT NULL;
        UPDATE outbox SET target = LOWER({json payload target}) WHERE {json payload target} IS NOT NULL;
        """;

    // Several processes (DESIGN.md, "Several processes"). A lease names what one process at a time may run (a system's
    // polling and apply endpoint, the outbox relay); its token grows with every change of owner and fences the owner's
    // commits; expires_ms is on the database's clock, so the processes' clocks never have to agree. A backfill is a
    // request that the owners' pollers carry out, recording progress per (link, system).
    private const string V3 = """
        CREATE TABLE leases (
            name        TEXT PRIMARY KEY,
            owner       TEXT NOT NULL,
            token       BIGINT NOT NULL,
            expires_ms  BIGINT NOT NULL,
            acquired_at TEXT NOT NULL
        );

        CREATE TABLE backfill_requests (
            id           {identity},
            requested_by TEXT NOT NULL,
            dry_run      INTEGER NOT NULL DEFAULT 0,
            requested_at TEXT NOT NULL
        );

        CREATE TABLE backfill_progress (
            request_id BIGINT NOT NULL REFERENCES backfill_requests (id),
            link_id    TEXT NOT NULL,
            system     TEXT NOT NULL,
            state      TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
            pages      BIGINT NOT NULL DEFAULT 0,
            messages   BIGINT NOT NULL DEFAULT 0,
            changes    BIGINT NOT NULL DEFAULT 0,
            summary    TEXT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (request_id, link_id, system)
        );
        CREATE INDEX ix_backfill_pending ON backfill_progress (system, request_id) WHERE state = 'pending';
        """;

    // Two outcome kinds (issue 9): held_deletion (a scan in which too much of a conversation vanished at once holds its
    // deletions for an operator) and possibly_written (recovery could not tell whether a lost write took effect). Neither
    // engine lets a CHECK be altered in one shared statement, so the table is rebuilt with its ids kept.
    // Edit notes are copies: note_copies has one row per note, keyed by the change it was written for (the note's marker),
    // external_id NULL while the note is being written (its intent) and the note's id after. A note's snapshot row is marked
    // is_note: a person deleting or editing a note changes nothing of the message it quotes.
    private const string V4 = """
        CREATE TABLE outcomes_v4 (
            id              {identity},
            link_id         TEXT NOT NULL,
            canonical_id    TEXT NULL,
            target          TEXT NOT NULL,
            kind            TEXT NOT NULL CHECK (kind IN ('parked', 'unpropagated_redaction', 'faulted', 'skipped', 'held_deletion', 'possibly_written')),
            change_kind     TEXT NULL,
            reason          TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            acknowledged_at TEXT NULL,
            resolved_at     TEXT NULL
        );
        INSERT INTO outcomes_v4 (id, link_id, canonical_id, target, kind, change_kind, reason, created_at, acknowledged_at, resolved_at)
        SELECT id, link_id, canonical_id, target, kind, change_kind, reason, created_at, acknowledged_at, resolved_at FROM outcomes;
        DROP TABLE outcomes;
        ALTER TABLE outcomes_v4 RENAME TO outcomes;
        {identity after outcomes id}
        CREATE INDEX ix_outcomes_open ON outcomes (link_id, kind) WHERE acknowledged_at IS NULL AND resolved_at IS NULL;
        CREATE INDEX ix_outcomes_target ON outcomes (canonical_id, target);

        CREATE TABLE note_copies (
            change_id    TEXT NOT NULL,
            system       TEXT NOT NULL,
            canonical_id TEXT NOT NULL REFERENCES messages (canonical_id),
            external_id  TEXT NULL,
            created_at   TEXT NOT NULL,
            PRIMARY KEY (change_id, system)
        );
        CREATE INDEX ix_note_copies_canonical ON note_copies (canonical_id, system);

        ALTER TABLE snapshots ADD COLUMN is_note INTEGER NOT NULL DEFAULT 0;
        """;

    // Retention (issue 13.2). pruned_through: how far retention removed a link's changes (every endpoint had applied them),
    // so a change redelivered after its records are gone is still known as handled. The indexes serve what retention and
    // a replay look up: a message's outbox rows, closed outcomes, deleted canonical copies.
    private const string V5 = """
        ALTER TABLE link_sequences ADD COLUMN pruned_through BIGINT NOT NULL DEFAULT 0;
        CREATE INDEX ix_outbox_canonical ON outbox (canonical_id);
        CREATE INDEX ix_outcomes_closed ON outcomes (id) WHERE resolved_at IS NOT NULL OR acknowledged_at IS NOT NULL;
        CREATE INDEX ix_messages_deleted ON messages (deleted_at) WHERE deleted_at IS NOT NULL;
        """;

    // Counters for status and /metrics (issue 13.2): a link's snapshot rows not deleted, per system (counter = the
    // system's name), and its mappings (counter 'mirrored'), kept by triggers in the same transaction as every write of
    // those tables, so a scrape reads a few rows per link instead of counting every row. Filled from the rows already there.
    private const string V6 = """
        CREATE TABLE link_counts (
            link_id TEXT NOT NULL,
            counter TEXT NOT NULL,
            value   BIGINT NOT NULL,
            PRIMARY KEY (link_id, counter)
        );
        INSERT INTO link_counts (link_id, counter, value)
        SELECT link_id, system, SUM(CASE WHEN deleted = 0 THEN 1 ELSE 0 END) FROM snapshots GROUP BY link_id, system;
        INSERT INTO link_counts (link_id, counter, value)
        SELECT m.link_id, 'mirrored', COUNT(*) FROM mappings p JOIN messages m ON m.canonical_id = p.canonical_id GROUP BY m.link_id;
        {link_counts_triggers}
        """;

    // What the engine learned about each system (issue 9.6): whether it keeps our data-sync-id marker in the HTML it stores,
    // seen on a copy of ours read back or listed. Once known, recovery can trust a marker's absence in a conversation that
    // has no copy of ours yet (the first copy into a conversation, cut by a crash).
    private const string V7 = """
        CREATE TABLE system_markers (
            system      TEXT PRIMARY KEY,
            keeps       INTEGER NOT NULL,
            evidence    TEXT NOT NULL,
            observed_at TEXT NOT NULL
        );
        """;

    /// <summary>Every migration, in order. Append only.</summary>
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, V1),
        new(2, V2),
        new(3, V3),
        new(4, V4),
        new(5, V5),
        new(6, V6),
        new(7, V7),
    ];

    public static int Latest => All[^1].Version;

    private const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL
        );
        """;

    private const string SelectVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";

    private const string InsertVersion = "INSERT INTO schema_version (version, applied_at) VALUES (@Version, @AppliedAt);";

    /// <summary>
    /// Brings the database to the newest version, one transaction per migration. Each transaction is one that no other
    /// process can run at once (<see cref="StateDialect.BeginMigrationAsync"/>) and re-reads the version inside, so that
    /// processes starting together apply each step exactly once. A database newer than <paramref name="migrations"/> is
    /// refused. Returns the resulting version.
    /// </summary>
    internal static async Task<int> ApplyAsync(
        DbConnection connection, StateDialect dialect, IReadOnlyList<Migration> migrations, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version <= migrations[i - 1].Version)
            {
                throw new InvalidOperationException("Migrations must be numbered in strictly increasing order.");
            }
        }

        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        while (true)
        {
            await using var transaction = await dialect.BeginMigrationAsync(connection, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(CreateVersionTable, transaction: transaction, cancellationToken: cancellationToken));
            var current = await connection.ExecuteScalarAsync<int>(new CommandDefinition(SelectVersion, transaction: transaction, cancellationToken: cancellationToken));
            if (current > latest)
            {
                throw new StateStoreVersionException(dialect.Location, current, latest);
            }

            var next = migrations.FirstOrDefault(m => m.Version > current);
            if (next is null)
            {
                await transaction.CommitAsync(cancellationToken);
                return current;
            }

            await connection.ExecuteAsync(new CommandDefinition(dialect.Render(next.Sql), transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                InsertVersion,
                new { next.Version, AppliedAt = StateDb.Time(time.GetUtcNow()) },
                transaction,
                cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
