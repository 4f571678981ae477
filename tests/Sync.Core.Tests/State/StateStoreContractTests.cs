using Dapper;
using MessageSync.Core.Model;
using MessageSync.Core.State;

namespace MessageSync.Core.Tests.State;

/// <summary>
/// The <see cref="IStateStore"/> contract, written once and proven on each engine by a subclass (STYLE.md, "Several stores,
/// one contract"): every test gets a fresh, empty database of its own.
/// </summary>
public abstract class StateStoreContractTests : IDisposable
{
    private readonly StoreDatabase _db;

    protected StateStoreContractTests(StoreDatabase db) => _db = db;

    public void Dispose()
    {
        _db.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task First_open_migrates_an_empty_database_to_the_latest_version()
    {
        using var store = _db.Open();

        await store.InitializeAsync();

        Assert.Equal(Migrations.Latest, await _db.ScalarAsync<int>("SELECT MAX(version) FROM schema_version;"));
        Assert.Equal(Migrations.All.Count, await _db.ScalarAsync<int>("SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task Reopening_applies_no_migration_twice_and_keeps_the_data()
    {
        using (var first = _db.Open())
        {
            await first.UpsertLinkAsync(Samples.Link());
        }

        using var second = _db.Open();
        var links = await second.ListLinksAsync();

        Assert.Single(links);
        Assert.Equal(Migrations.All.Count, await _db.ScalarAsync<int>("SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task Processes_starting_at_once_migrate_the_database_once()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => _db.Open()).ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync())));
        }
        finally
        {
            stores.ForEach(s => s.Dispose());
        }

        Assert.Equal(Migrations.All.Count, await _db.ScalarAsync<int>("SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task A_database_from_a_newer_build_is_refused()
    {
        using (var store = _db.Open())
        {
            await store.InitializeAsync();
        }

        await _db.ExecuteAsync("INSERT INTO schema_version (version, applied_at) VALUES (999, '2030-01-01T00:00:00Z');");

        using var newer = _db.Open();
        var error = await Assert.ThrowsAsync<StateStoreVersionException>(() => newer.InitializeAsync());
        Assert.Equal(999, error.DatabaseVersion);
        Assert.Equal(Migrations.Latest, error.SupportedVersion);
    }

    [Fact]
    public async Task A_failing_migration_rolls_back_alone_and_the_next_start_continues_from_there()
    {
        Migration one = new(1, "CREATE TABLE a (x INTEGER);");
        using (var broken = _db.Open([one, new Migration(2, "CREATE TABLE b (x INTEGER); THIS IS NOT SQL;")]))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => broken.InitializeAsync());
        }

        Assert.Equal(1, await _db.ScalarAsync<int>("SELECT MAX(version) FROM schema_version;"));
        Assert.False(await _db.TableExistsAsync("b"));

        using var fixedStore = _db.Open([one, new Migration(2, "CREATE TABLE b (x INTEGER);")]);
        await fixedStore.InitializeAsync();
        Assert.Equal(2, await _db.ScalarAsync<int>("SELECT MAX(version) FROM schema_version;"));
        Assert.True(await _db.TableExistsAsync("b"));
    }

    [Fact]
    public async Task Links_round_trip_with_their_options_and_can_be_removed()
    {
        using var store = _db.Open();
        var link = Samples.Link() with
        {
            CordThreadCustomerVisible = true,
            CordAgentUserIds = ["u_agent"],
            DeliverRepliesVia = ReplyDelivery.Pylon,
        };

        await store.UpsertLinkAsync(link);
        await store.UpsertLinkAsync(link with { HelpdeskTicketId = "tkt_10" });
        var stored = Assert.Single(await store.ListLinksAsync());

        Assert.Equal("store", stored.Source);
        Assert.Equal("tkt_10", stored.Link.HelpdeskTicketId);
        Assert.True(stored.Link.CordThreadCustomerVisible);
        Assert.Equal(["u_agent"], stored.Link.CordAgentUserIds);
        Assert.Equal(ReplyDelivery.Pylon, stored.Link.DeliverRepliesVia);
        Assert.True(await store.RemoveLinkAsync(link.Id));
        Assert.False(await store.RemoveLinkAsync(link.Id));
        Assert.Empty(await store.ListLinksAsync());
    }

    [Fact]
    public async Task A_link_with_fewer_than_two_systems_is_refused()
    {
        using var store = _db.Open();

        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertLinkAsync(new ConversationLink { Id = "x", PylonIssueId = "iss_1" }));
    }

    [Fact]
    public async Task A_commit_writes_snapshot_canonical_message_outbox_and_cursor_together()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();

        var result = await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id, cursor: "c1"));

        var written = Assert.Single(result.Written);
        Assert.Equal(0, result.Suppressed);
        Assert.Equal((1L, ChangeKind.Created, id, SystemId.Pylon), (written.Sequence, written.Change, written.CanonicalId, written.Source));
        Assert.Equal("c1", await store.GetCursorAsync("link-1", SystemId.Pylon));
        var snapshot = await store.GetSnapshotAsync("link-1", SystemId.Pylon);
        Assert.Equal(id, snapshot["msg_1"].CanonicalId);
        Assert.Equal(_db.Clock.GetUtcNow(), snapshot["msg_1"].SeenAt);
        var message = await store.GetMessageAsync(id);
        var expected = Samples.Message(id, "link-1", SystemId.Pylon, "msg_1");
        Assert.NotNull(message);
        Assert.Equal(expected, message with { Attachments = expected.Attachments });
        Assert.Equal(expected.Attachments, message.Attachments);
        var outbox = Assert.Single(await store.GetUnpublishedAsync(10));
        Assert.Equal(written, outbox.Message);
    }

    [Fact]
    public async Task A_commit_that_fails_midway_leaves_nothing_behind()
    {
        using var store = _db.Open();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_0", cursor: "c0"));
        var good = Samples.Created("link-1", SystemId.Pylon, "msg_1", cursor: "c1");

        // The snapshot row and the first change are written before the unknown change kind throws.
        var failing = good with
        {
            Changes = [.. good.Changes, new DetectedChange((ChangeKind)99, Guid.CreateVersion7(), "msg_1", DateTimeOffset.UnixEpoch, null)],
        };
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.CommitObservationAsync(failing));

        Assert.Equal("c0", await store.GetCursorAsync("link-1", SystemId.Pylon));
        Assert.False((await store.GetSnapshotAsync("link-1", SystemId.Pylon)).ContainsKey("msg_1"));
        Assert.Null(await store.GetMessageAsync(good.Changes[0].CanonicalId));
        Assert.Single(await store.GetUnpublishedAsync(10));

        // The per-link sequence was rolled back with the rest: the next change gets 2, not 3.
        var next = await store.CommitObservationAsync(good);
        Assert.Equal(2, Assert.Single(next.Written).Sequence);
    }

    [Fact]
    public async Task Per_link_sequences_stay_gapless_and_ordered_under_concurrent_commits()
    {
        using var store = _db.Open();
        await store.InitializeAsync();
        const int writers = 6;
        const int commitsEach = 15;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < commitsEach; i++)
            {
                var link = w % 2 == 0 ? "link-a" : "link-b";
                var system = (SystemId)(w % 3);
                await store.CommitObservationAsync(Samples.Created(link, system, $"w{w}-m{i}"));
            }
        })));

        var outbox = await store.GetUnpublishedAsync(1000);
        Assert.Equal(writers * commitsEach, outbox.Count);
        foreach (var group in outbox.GroupBy(e => e.Message.LinkId))
        {
            var sequences = group.OrderBy(e => e.Sequence).Select(e => e.Message.Sequence).ToList();
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(n => (long)n), sequences);
        }
    }

    [Fact]
    public async Task The_cursor_moves_only_with_its_commit_and_a_full_scan_keeps_it()
    {
        using var store = _db.Open();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Cord, "m1", cursor: "t1"));
        _db.Clock.Advance(TimeSpan.FromMinutes(5));

        await store.CommitObservationAsync(new ObservationCommit { LinkId = "link-1", System = SystemId.Cord, Cursor = null, UpdateCursor = false });

        Assert.Equal("t1", await store.GetCursorAsync("link-1", SystemId.Cord));
        var status = Assert.Single((await store.GetStatusAsync()).Links);
        Assert.Equal(_db.Clock.GetUtcNow(), status.LastPoll[SystemId.Cord]);
        Assert.Null(await store.GetCursorAsync("link-1", SystemId.Pylon));
    }

    [Fact]
    public async Task Published_outbox_rows_are_not_handed_out_again()
    {
        using var store = _db.Open();
        for (var i = 0; i < 5; i++)
        {
            await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, $"m{i}"));
        }

        var firstBatch = await store.GetUnpublishedAsync(3);
        Assert.Equal([1L, 2L, 3L], firstBatch.Select(e => e.Message.Sequence));

        await store.MarkPublishedAsync(firstBatch.Select(e => e.Sequence));
        await store.MarkPublishedAsync(firstBatch.Select(e => e.Sequence));

        var rest = await store.GetUnpublishedAsync(10);
        Assert.Equal([4L, 5L], rest.Select(e => e.Message.Sequence));
        Assert.Equal(2, Assert.Single((await store.GetStatusAsync()).Links).UnpublishedOutbox);
    }

    [Fact]
    public async Task What_a_system_does_with_our_marker_is_unknown_until_recorded_and_the_latest_observation_wins()
    {
        using var store = _db.Open();
        Assert.Null(await store.GetMarkerKeepingAsync(SystemId.Pylon));

        await store.RecordMarkerKeepingAsync(SystemId.Pylon, keeps: true, "copy msg_1 read back with its marker");
        await store.RecordMarkerKeepingAsync(SystemId.Helpdesk, keeps: false, "copy m_2 listed without its marker");

        var pylon = await store.GetMarkerKeepingAsync(SystemId.Pylon);
        Assert.Equal((true, "copy msg_1 read back with its marker"), (pylon!.Keeps, pylon.Evidence));
        Assert.False((await store.GetMarkerKeepingAsync(SystemId.Helpdesk))!.Keeps);
        await store.RecordMarkerKeepingAsync(SystemId.Pylon, keeps: false, "copy msg_7 listed without its marker");
        Assert.Equal((false, "copy msg_7 listed without its marker"), ((await store.GetMarkerKeepingAsync(SystemId.Pylon))!.Keeps, (await store.GetMarkerKeepingAsync(SystemId.Pylon))!.Evidence));
        Assert.Null(await store.GetMarkerKeepingAsync(SystemId.Cord));
    }

    [Fact]
    public async Task Links_with_copies_of_ours_in_a_system_are_listed_latest_first_without_the_asking_link()
    {
        using var store = _db.Open();
        foreach (var (link, external) in new[] { ("link-1", "msg_1"), ("link-2", "msg_2"), ("link-3", "msg_3") })
        {
            var id = Guid.CreateVersion7();
            await store.CommitObservationAsync(Samples.Created(link, SystemId.Cord, external, id));
            await store.RecordMappingAsync(id, SystemId.Pylon, "p_" + external, MessageKind.CustomerMessage, null);
            _db.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(["link-3", "link-2"], await store.GetLinksWithCopiesAsync(SystemId.Pylon, "link-1", limit: 5));
        Assert.Equal(["link-3"], await store.GetLinksWithCopiesAsync(SystemId.Pylon, "link-2", limit: 1));
        Assert.Empty(await store.GetLinksWithCopiesAsync(SystemId.Helpdesk, "link-1", limit: 5));
    }

    [Fact]
    public async Task A_note_intent_never_sent_is_dropped_and_a_written_note_is_kept()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Cord, "msg_1", id));
        var (unsent, written) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await store.RecordNoteIntentAsync(unsent, SystemId.Pylon, id);
        await store.RecordNoteIntentAsync(written, SystemId.Pylon, id);
        await store.RecordNoteCopyAsync(written, SystemId.Pylon, id, "note_1", baseline: null);
        Assert.NotNull((await store.GetNoteCopyAsync(unsent, SystemId.Pylon))!.CreatedAt);

        await store.DropNoteIntentAsync(unsent, SystemId.Pylon);
        await store.DropNoteIntentAsync(written, SystemId.Pylon);

        Assert.Null(await store.GetNoteCopyAsync(unsent, SystemId.Pylon));
        Assert.Equal("note_1", (await store.GetNoteCopyAsync(written, SystemId.Pylon))!.ExternalId);
    }

    [Fact]
    public async Task A_polls_echo_of_a_write_in_flight_committed_after_its_mapping_keeps_the_mappings_baseline()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id));
        await store.RecordIntentAsync(id, SystemId.Cord, WriteAction.Create, id.ToString());

        // The poll read the copy (already edited by a person) while the write was in flight; recovery recorded the mapping
        // with the baseline the create announced before the poll committed.
        await store.RecordMappingAsync(id, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, "baseline:as-created");
        await store.CommitObservationAsync(new ObservationCommit
        {
            LinkId = "link-1",
            System = SystemId.Cord,
            Snapshots = [new SnapshotEntry("cm_1", id, "hash-of-the-edited-copy") { InsertOnly = true }],
        });

        Assert.Equal("baseline:as-created", (await store.GetSnapshotAsync("link-1", SystemId.Cord))["cm_1"].ContentHash);
    }

    [Fact]
    public async Task A_recorded_mirror_is_known_to_echo_lookup_and_to_the_next_poll()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id));
        await store.RecordIntentAsync(id, SystemId.Cord, WriteAction.Create, "sync-" + id);
        Assert.NotNull(await store.GetIntentAsync(id, SystemId.Cord, WriteAction.Create));

        await store.RecordMappingAsync(id, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, null);

        Assert.Null(await store.GetIntentAsync(id, SystemId.Cord, WriteAction.Create));
        var mapping = await store.GetMappingAsync(id, SystemId.Cord);
        Assert.NotNull(mapping);
        Assert.Equal(("cm_1", MessageKind.CustomerMessage, false), (mapping.ExternalId, mapping.TargetKind, mapping.IsOrigin));
        var mirror = (await store.GetSnapshotAsync("link-1", SystemId.Cord))["cm_1"];
        Assert.Equal(id, mirror.CanonicalId);
        Assert.Null(mirror.ContentHash);
    }

    [Fact]
    public async Task A_poll_that_raced_the_mapping_and_took_the_mirror_for_new_is_suppressed()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id));
        await store.RecordMappingAsync(id, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, null);

        var echo = await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Cord, "cm_1"));

        Assert.Empty(echo.Written);
        Assert.Equal(1, echo.Suppressed);
        Assert.Equal(id, (await store.GetSnapshotAsync("link-1", SystemId.Cord))["cm_1"].CanonicalId);
        Assert.Single(await store.GetUnpublishedAsync(10));
    }

    [Fact]
    public async Task The_origin_system_counts_as_the_mapping_of_its_own_message()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id));

        var origin = await store.GetMappingAsync(id, SystemId.Pylon);

        Assert.NotNull(origin);
        Assert.True(origin.IsOrigin);
        Assert.Equal("msg_1", origin.ExternalId);
        Assert.Null(await store.GetMappingAsync(id, SystemId.Helpdesk));
    }

    [Fact]
    public async Task Edits_redactions_and_deletions_update_the_canonical_copy_once()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id));
        var at = new DateTimeOffset(2025, 3, 2, 0, 0, 0, TimeSpan.Zero);
        ObservationCommit Change(ChangeKind kind, string text = "Hello") => new()
        {
            LinkId = "link-1",
            System = SystemId.Cord,
            Changes = [new DetectedChange(kind, id, "cm_1", at, kind == ChangeKind.Edited ? Samples.Message(id, "link-1", SystemId.Cord, "cm_1", text) : null)],
        };

        Assert.Empty((await store.CommitObservationAsync(Change(ChangeKind.Edited, "  Hello "))).Written);
        Assert.Single((await store.CommitObservationAsync(Change(ChangeKind.Edited, "Hello, world"))).Written);
        var edited = await store.GetMessageAsync(id);
        Assert.Equal(("Hello, world", at, SystemId.Pylon), (edited!.BodyText, edited.EditedAt, edited.Origin.System));

        Assert.Single((await store.CommitObservationAsync(Change(ChangeKind.Redacted))).Written);
        Assert.Empty((await store.CommitObservationAsync(Change(ChangeKind.Redacted))).Written);
        Assert.Empty((await store.CommitObservationAsync(Change(ChangeKind.Edited, "back again"))).Written);
        var redacted = await store.GetMessageAsync(id);
        Assert.Equal(("", "", 0, at), (redacted!.BodyHtml, redacted.BodyText, redacted.Attachments.Count, redacted.RedactedAt));

        Assert.Single((await store.CommitObservationAsync(Change(ChangeKind.Deleted))).Written);
        Assert.Empty((await store.CommitObservationAsync(Change(ChangeKind.Deleted))).Written);
        Assert.Equal(at, (await store.GetMessageAsync(id))!.DeletedAt);
        Assert.Equal([1L, 2L, 3L, 4L], (await store.GetUnpublishedAsync(10)).Select(e => e.Message.Sequence));
    }

    [Fact]
    public async Task A_change_of_an_unknown_canonical_message_is_suppressed()
    {
        using var store = _db.Open();

        var result = await store.CommitObservationAsync(new ObservationCommit
        {
            LinkId = "link-1",
            System = SystemId.Cord,
            Changes = [new DetectedChange(ChangeKind.Deleted, Guid.CreateVersion7(), "cm_9", DateTimeOffset.UnixEpoch, null)],
        });

        Assert.Equal((0, 1), (result.Written.Count, result.Suppressed));
    }

    [Fact]
    public async Task Our_own_change_to_a_mirror_resets_its_baseline_and_marks_it()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id));
        await store.RecordMappingAsync(id, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, null);
        await store.CommitObservationAsync(new ObservationCommit
        {
            LinkId = "link-1",
            System = SystemId.Cord,
            Snapshots = [new SnapshotEntry("cm_1", id, "rendered-by-cord")],
        });
        await store.RecordIntentAsync(id, SystemId.Cord, WriteAction.Redact, "m");

        await store.RecordMirrorChangedAsync(id, SystemId.Cord, "cm_1", WriteAction.Redact);

        var mirror = (await store.GetSnapshotAsync("link-1", SystemId.Cord))["cm_1"];
        Assert.Null(mirror.ContentHash);
        Assert.True(mirror.Redacted);
        Assert.False(mirror.Deleted);
        Assert.Null(await store.GetIntentAsync(id, SystemId.Cord, WriteAction.Redact));
    }

    [Fact]
    public async Task A_mapping_for_an_unknown_message_is_refused()
    {
        using var store = _db.Open();

        var unknown = Guid.CreateVersion7();

        await Assert.ThrowsAnyAsync<Exception>(() => store.RecordMappingAsync(unknown, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, null));
        Assert.Null(await store.GetMappingAsync(unknown, SystemId.Cord));
    }

    [Fact]
    public async Task Outcomes_stay_open_until_acknowledged_or_resolved()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        var unpropagated = await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Helpdesk, OutcomeKind.UnpropagatedRedaction, "helpdesk cannot redact", ChangeKind.Redacted));
        await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Cord, OutcomeKind.Parked, "closed"));
        await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Cord, OutcomeKind.Faulted, "404"));

        var open = await store.ListOutcomesAsync(includeResolved: false);
        Assert.Equal(3, open.Count);
        var first = open[0];
        Assert.Equal((OutcomeKind.UnpropagatedRedaction, ChangeKind.Redacted, id, SystemId.Helpdesk), (first.Kind, first.Change, first.CanonicalId, first.Target));
        Assert.Equal(1, (await store.GetStatusAsync()).Links.Single().OpenOutcomes[OutcomeKind.UnpropagatedRedaction]);

        Assert.True(await store.AcknowledgeOutcomeAsync(unpropagated));
        Assert.False(await store.AcknowledgeOutcomeAsync(unpropagated));
        Assert.Equal(2, await store.ResolveOutcomesAsync(id, SystemId.Cord));

        Assert.Empty(await store.ListOutcomesAsync(includeResolved: false));
        var all = await store.ListOutcomesAsync(includeResolved: true);
        Assert.Equal(3, all.Count);
        Assert.All(all, o => Assert.False(o.IsOpen));
        Assert.NotNull(all.Single(o => o.Id == unpropagated).AcknowledgedAt);
        Assert.All((await store.GetStatusAsync()).Links, l => Assert.Empty(l.OpenOutcomes));
    }

    [Fact]
    public async Task Status_counts_messages_mirrors_backlog_and_polls_per_link()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.UpsertLinkAsync(Samples.Link("link-quiet"));
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id));
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_2"));
        await store.RecordMappingAsync(id, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, null);
        await store.MarkPublishedAsync([1]);

        var status = await store.GetStatusAsync();

        Assert.Equal(["link-1", "link-quiet"], status.Links.Select(l => l.LinkId));
        var busy = status.Links[0];
        Assert.Equal(2, busy.MessagesPerSystem[SystemId.Pylon]);
        Assert.Equal(1, busy.MessagesPerSystem[SystemId.Cord]);
        Assert.Equal(1, busy.Mirrored);
        Assert.Equal(1, busy.UnpublishedOutbox);
        Assert.Equal(_db.Clock.GetUtcNow(), busy.OldestUnpublishedAt);
        Assert.Equal([SystemId.Pylon], busy.LastPoll.Keys);
        var quiet = status.Links[1];
        Assert.Equal((0, 0, 0), (quiet.MessagesPerSystem.Count, quiet.Mirrored, quiet.UnpublishedOutbox));
    }

    [Fact]
    public async Task Status_counters_follow_every_insert_deletion_and_removal_of_snapshot_rows_and_mappings()
    {
        using var store = _db.Open();
        var (a, b) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", a));
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_2", b));
        await store.RecordMappingAsync(a, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, null);
        await store.RecordMappingAsync(b, SystemId.Cord, "cm_2", MessageKind.CustomerMessage, null);

        await _db.ExecuteAsync("UPDATE snapshots SET deleted = 1 WHERE external_id = 'msg_1';");
        await _db.ExecuteAsync("UPDATE snapshots SET seen_at = seen_at WHERE external_id = 'msg_2';");
        await _db.ExecuteAsync("DELETE FROM snapshots WHERE external_id = 'cm_2';");
        await _db.ExecuteAsync($"DELETE FROM mappings WHERE canonical_id = '{b:D}';");
        var status = Assert.Single((await store.GetStatusAsync()).Links);

        Assert.Equal(1, status.MessagesPerSystem[SystemId.Pylon]);
        Assert.Equal(1, status.MessagesPerSystem[SystemId.Cord]);
        Assert.Equal(1, status.Mirrored);

        await _db.ExecuteAsync("UPDATE snapshots SET deleted = 0 WHERE external_id = 'msg_1';");
        Assert.Equal(2, Assert.Single((await store.GetStatusAsync()).Links).MessagesPerSystem[SystemId.Pylon]);
    }

    [Fact]
    public async Task Migration_6_counts_the_rows_already_there()
    {
        using (var v5 = _db.Open([.. Migrations.All.Where(m => m.Version <= 5)]))
        {
            await v5.InitializeAsync();
        }

        await _db.ExecuteAsync("""
            INSERT INTO messages (canonical_id, link_id, origin_system, origin_external_id, kind, author, body_html, body_text, attachments, created_at)
            VALUES ('c1', 'link-1', 'pylon', 'msg_1', 'customer_message', '{}', '', '', '[]', '2025-03-01T00:00:00.0000000+00:00'),
                   ('c2', 'link-1', 'pylon', 'msg_2', 'customer_message', '{}', '', '', '[]', '2025-03-01T00:00:00.0000000+00:00');
            INSERT INTO snapshots (link_id, system, external_id, canonical_id, deleted, seen_at)
            VALUES ('link-1', 'pylon', 'msg_1', 'c1', 0, '2025-03-01T00:00:00.0000000+00:00'),
                   ('link-1', 'pylon', 'msg_2', 'c2', 1, '2025-03-01T00:00:00.0000000+00:00'),
                   ('link-1', 'cord', 'cm_1', 'c1', 0, '2025-03-01T00:00:00.0000000+00:00');
            INSERT INTO mappings (canonical_id, system, external_id, target_kind, created_at)
            VALUES ('c1', 'cord', 'cm_1', 'customer_message', '2025-03-01T00:00:00.0000000+00:00');
            """);

        using var store = _db.Open();
        var status = Assert.Single((await store.GetStatusAsync()).Links);

        Assert.Equal(1, status.MessagesPerSystem[SystemId.Pylon]);
        Assert.Equal(1, status.MessagesPerSystem[SystemId.Cord]);
        Assert.Equal(1, status.Mirrored);
    }

    [Fact]
    public async Task The_snapshot_rows_of_a_page_are_read_alone()
    {
        using var store = _db.Open();
        for (var i = 0; i < 5; i++)
        {
            await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, $"msg_{i}"));
        }

        await store.CommitObservationAsync(Samples.Created("link-2", SystemId.Pylon, "msg_9"));

        var rows = await store.GetSnapshotAsync("link-1", SystemId.Pylon, ["msg_1", "msg_3", "msg_new", "msg_9", "msg_1"]);

        Assert.Equal(["msg_1", "msg_3"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((await store.GetSnapshotAsync("link-1", SystemId.Pylon))["msg_3"].CanonicalId, rows["msg_3"].CanonicalId);
        Assert.Empty(await store.GetSnapshotAsync("link-1", SystemId.Pylon, []));
    }

    [Fact]
    public async Task A_change_marked_applied_for_one_target_is_not_applied_for_another()
    {
        using var store = _db.Open();
        var change = Guid.CreateVersion7();

        Assert.False(await store.IsChangeAppliedAsync(change, SystemId.Cord));
        await store.MarkChangeAppliedAsync(change, SystemId.Cord, "Create");
        await store.MarkChangeAppliedAsync(change, SystemId.Cord, "again");

        Assert.True(await store.IsChangeAppliedAsync(change, SystemId.Cord));
        Assert.False(await store.IsChangeAppliedAsync(change, SystemId.Helpdesk));
    }

    [Fact]
    public async Task A_completed_change_resolves_its_messages_open_outcomes_in_that_target_and_is_marked_applied()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        var change = Guid.CreateVersion7();
        await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Cord, OutcomeKind.Faulted, "404"));
        await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Helpdesk, OutcomeKind.Parked, "closed"));
        await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Cord, OutcomeKind.HeldDeletion, "held"));

        await store.CompleteChangeAsync(change, id, SystemId.Cord, "Create");
        await store.CompleteChangeAsync(change, id, SystemId.Cord, "again");

        Assert.True(await store.IsChangeAppliedAsync(change, SystemId.Cord));
        Assert.False(await store.IsChangeAppliedAsync(change, SystemId.Helpdesk));
        var open = await store.ListOutcomesAsync(includeResolved: false);
        Assert.Equal(2, open.Count); // the held deletion waits for an operator; the helpdesk's outcome is another target's
        Assert.Contains(open, o => o.Target == SystemId.Helpdesk && o.Kind == OutcomeKind.Parked);
        Assert.Contains(open, o => o.Target == SystemId.Cord && o.Kind == OutcomeKind.HeldDeletion);
    }

    // ---- Retention (issue 13.2) -----------------------------------------------------------------------------------

    private static readonly SystemId[] EverySystem = [SystemId.Pylon, SystemId.Helpdesk, SystemId.Cord];

    private RetentionCutoffs Cutoffs(TimeSpan age, int batch = 1000)
    {
        var now = _db.Clock.GetUtcNow();
        return new RetentionCutoffs(now - age, now - age, now - age, batch);
    }

    private static async Task<List<OutboxEntry>> CommitAndPublishAsync(StateStore store, string linkId, params string[] externalIds)
    {
        foreach (var externalId in externalIds)
        {
            await store.CommitObservationAsync(Samples.Created(linkId, SystemId.Pylon, externalId));
        }

        var entries = (await store.GetUnpublishedAsync(1000)).Where(e => e.Message.LinkId == linkId).ToList();
        await store.MarkPublishedAsync(entries.Select(e => e.Sequence));
        return entries;
    }

    private static async Task ApplyEverywhereAsync(StateStore store, OutboxEntry entry, params SystemId[] except)
    {
        foreach (var system in EverySystem.Except(except))
        {
            await store.MarkChangeAppliedAsync(entry.Message.ChangeId, system, "Create");
        }
    }

    [Fact]
    public async Task Retention_removes_a_prefix_of_changes_every_system_applied_and_a_redelivery_of_one_is_still_known_as_applied()
    {
        using var store = _db.Open();
        var changes = await CommitAndPublishAsync(store, "link-1", "msg_1", "msg_2", "msg_3");
        await store.RecordMappingAsync(changes[0].Message.CanonicalId, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, null);
        await ApplyEverywhereAsync(store, changes[0]);
        await ApplyEverywhereAsync(store, changes[1], except: SystemId.Helpdesk); // still owed to the helpdesk
        await ApplyEverywhereAsync(store, changes[2]);
        _db.Clock.Advance(TimeSpan.FromDays(8));

        var pruned = await store.PruneAsync(Cutoffs(TimeSpan.FromDays(7)));

        // Only the first: the second is unapplied, and the third waits behind it (a link's changes go as a prefix).
        Assert.Equal((1L, 3L), (pruned.Outbox, pruned.AppliedChanges));
        Assert.Equal(2, await _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox;"));
        Assert.True(await store.IsChangeAppliedAsync(changes[0].Message, SystemId.Cord), "a redelivery of a removed change is known as applied");
        Assert.False(await store.IsChangeAppliedAsync(changes[1].Message, SystemId.Helpdesk));
        Assert.True(await store.IsChangeAppliedAsync(changes[2].Message, SystemId.Cord));
        Assert.Equal([changes[1].Message.ChangeId], (await store.ListUnappliedChangesAsync()).Select(c => c.Message.ChangeId));
        Assert.Equal("cm_1", (await store.GetMappingAsync(changes[0].Message.CanonicalId, SystemId.Cord))?.ExternalId);
        Assert.NotNull(await store.GetMessageAsync(changes[0].Message.CanonicalId));

        await store.MarkChangeAppliedAsync(changes[1].Message.ChangeId, SystemId.Helpdesk, "Create");
        var rest = await store.PruneAsync(Cutoffs(TimeSpan.FromDays(7), batch: 1));

        Assert.Equal(2, rest.Outbox);
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox;"));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT COUNT(*) FROM applied_changes;"));

        // The link's sequence goes on: a new change is never taken for a removed one.
        var next = Assert.Single(await CommitAndPublishAsync(store, "link-1", "msg_4"));
        Assert.Equal(4, next.Message.Sequence);
        Assert.False(await store.IsChangeAppliedAsync(next.Message, SystemId.Cord));
        Assert.Empty((await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1"))).Written);
    }

    [Fact]
    public async Task Retention_keeps_changes_younger_than_the_age_and_unpublished_ones_whatever_their_age()
    {
        using var store = _db.Open();
        var published = await CommitAndPublishAsync(store, "link-1", "msg_1");
        await ApplyEverywhereAsync(store, published[0]);
        await store.CommitObservationAsync(Samples.Created("link-2", SystemId.Pylon, "msg_2"));

        var young = await store.PruneAsync(Cutoffs(TimeSpan.FromDays(7)));
        _db.Clock.Advance(TimeSpan.FromDays(30));
        var old = await store.PruneAsync(Cutoffs(TimeSpan.FromDays(7)));

        Assert.Equal(0, young.Total);
        Assert.Equal(1, old.Outbox);
        Assert.Equal(["link-2"], (await store.GetUnpublishedAsync(10)).Select(e => e.Message.LinkId));
    }

    [Fact]
    public async Task Retention_removes_outcomes_resolved_or_acknowledged_long_ago_and_never_an_open_one()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id));
        var open = await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Cord, OutcomeKind.Faulted, "still open"));
        var acknowledged = await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Helpdesk, OutcomeKind.Parked, "seen"));
        await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Pylon, OutcomeKind.Faulted, "cured"));
        await store.AcknowledgeOutcomeAsync(acknowledged);
        await store.ResolveOutcomesAsync(id, SystemId.Pylon);
        _db.Clock.Advance(TimeSpan.FromDays(31));
        var recent = await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Helpdesk, OutcomeKind.Parked, "seen lately"));
        await store.AcknowledgeOutcomeAsync(recent);

        var pruned = await store.PruneAsync(Cutoffs(TimeSpan.FromDays(30)));

        Assert.Equal(2, pruned.Outcomes);
        Assert.Equal([open, recent], (await store.ListOutcomesAsync(includeResolved: true)).Select(o => o.Id).Order());
    }

    [Fact]
    public async Task Retention_forgets_the_text_of_a_message_deleted_everywhere_long_ago_and_keeps_its_row_and_mappings()
    {
        using var store = _db.Open();
        var changes = await CommitAndPublishAsync(store, "link-1", "msg_gone", "msg_left");
        foreach (var change in changes)
        {
            await ApplyEverywhereAsync(store, change);
            await store.RecordMappingAsync(change.Message.CanonicalId, SystemId.Cord, "cm_" + change.Sequence, MessageKind.CustomerMessage, null);
        }

        // Both deleted at their origin; of the second a copy is still present (its Cord snapshot row is not deleted).
        var (gone, left) = (changes[0].Message.CanonicalId, changes[1].Message.CanonicalId);
        await _db.ExecuteAsync($"UPDATE messages SET deleted_at = '{_db.Clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture)}';");
        await _db.ExecuteAsync($"UPDATE snapshots SET deleted = 1 WHERE canonical_id = '{gone:D}' OR system = 'pylon';");
        _db.Clock.Advance(TimeSpan.FromDays(31));

        var pruned = await store.PruneAsync(Cutoffs(TimeSpan.FromDays(30)));

        Assert.Equal(1, pruned.MessageTexts);
        Assert.Equal("", (await store.GetMessageAsync(gone))!.BodyHtml);
        Assert.Equal("cm_1", (await store.GetMappingAsync(gone, SystemId.Cord))?.ExternalId);
        Assert.NotEqual("", (await store.GetMessageAsync(left))!.BodyHtml);
    }

    [Fact]
    public async Task Two_polls_that_see_one_new_message_at_once_create_it_once()
    {
        using var store = _db.Open();
        await store.InitializeAsync();

        for (var round = 0; round < 10; round++)
        {
            var externalId = $"msg_{round}";
            var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
                Task.Run(() => store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, externalId)))));

            Assert.Equal(1, results.Sum(r => r.Written.Count));
            Assert.Equal(2, results.Sum(r => r.Suppressed));
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(n => (long)n), (await store.GetUnpublishedAsync(100)).Select(e => e.Message.Sequence));
    }

    [Fact]
    public async Task A_change_is_unapplied_until_every_system_recorded_it_and_a_replay_until_its_target_did()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        var created = Assert.Single((await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id))).Written);
        var outcome = await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Cord, OutcomeKind.Faulted, "404", ChangeKind.Created));
        var replay = await store.ReplayOutcomeAsync(outcome);
        Assert.NotNull(replay);
        Assert.Equal((SystemId?)SystemId.Cord, replay.Target);

        await store.MarkChangeAppliedAsync(created.ChangeId, SystemId.Pylon, "not a target");
        await store.MarkChangeAppliedAsync(created.ChangeId, SystemId.Cord, "Faulted");
        var pending = await store.ListUnappliedChangesAsync();

        Assert.Equal([created.ChangeId, replay.ChangeId], pending.Select(p => p.Message.ChangeId));
        Assert.Equal([SystemId.Pylon, SystemId.Cord], pending[0].AppliedTargets.Order());
        Assert.Empty(pending[1].AppliedTargets);

        await store.MarkChangeAppliedAsync(created.ChangeId, SystemId.Helpdesk, "Create");
        await store.MarkChangeAppliedAsync(replay.ChangeId, SystemId.Cord, "Create");
        Assert.Empty(await store.ListUnappliedChangesAsync());
    }

    [Fact]
    public async Task Migration_2_drops_the_unused_mapping_hash_and_keeps_a_replays_target_from_before_the_upgrade()
    {
        using (var v1 = _db.Open([Migrations.All[0]]))
        {
            await v1.InitializeAsync();
        }

        var changeId = Guid.CreateVersion7();
        await _db.ExecuteAsync($$"""
            INSERT INTO messages (canonical_id, link_id, origin_system, origin_external_id, kind, author, body_html, body_text, attachments, created_at)
            VALUES ('c1', 'link-1', 'pylon', 'msg_1', 'customer_message', '{}', '', '', '[]', '2025-03-01T00:00:00.0000000+00:00');
            INSERT INTO outbox (link_id, link_sequence, message_id, change_kind, canonical_id, source_system, payload, created_at)
            VALUES ('link-1', 1, '{{changeId}}', 'created', 'c1', 'pylon',
                    '{"changeId":"{{changeId}}","linkId":"link-1","target":"Cord"}', '2025-03-01T00:00:00.0000000+00:00');
            """);

        using var store = _db.Open();
        await store.InitializeAsync();

        Assert.Equal("cord", await _db.ScalarAsync<string>("SELECT target FROM outbox;"));
        await Assert.ThrowsAnyAsync<Exception>(() => _db.ScalarAsync<string>("SELECT content_hash FROM mappings;"));
    }

    [Fact]
    public async Task Migration_4_keeps_every_outcome_and_its_id_and_takes_the_new_kinds()
    {
        using (var v3 = _db.Open([.. Migrations.All.Where(m => m.Version <= 3)]))
        {
            await v3.InitializeAsync();
        }

        // Rows as a build at schema 3 wrote them (this build's store speaks the newest schema only).
        await _db.ExecuteAsync("""
            INSERT INTO outcomes (link_id, target, kind, reason, created_at) VALUES ('link-1', 'cord', 'faulted', 'first', '2025-03-01T00:00:00.0000000+00:00');
            INSERT INTO outcomes (link_id, target, kind, reason, created_at, acknowledged_at)
            VALUES ('link-1', 'pylon', 'parked', 'second', '2025-03-01T00:00:00.0000000+00:00', '2025-03-01T00:00:00.0000000+00:00');
            """);

        using var store = _db.Open();
        await store.InitializeAsync();
        var held = await store.RecordOutcomeAsync(new NewOutcome("link-1", null, SystemId.Cord, OutcomeKind.HeldDeletion, "held"));
        var possibly = await store.RecordOutcomeAsync(new NewOutcome("link-1", null, SystemId.Cord, OutcomeKind.PossiblyWritten, "maybe"));

        var all = await store.ListOutcomesAsync(includeResolved: true);
        Assert.Equal(
            [(1L, "first", true), (2L, "second", false), (3L, "held", true), (4L, "maybe", true)],
            all.Select(o => (o.Id, o.Reason, o.IsOpen)));
        Assert.Equal((3L, 4L), (held, possibly));
        Assert.Equal(0, await _db.ScalarAsync<int>("SELECT COUNT(*) FROM note_copies;"));
        Assert.Equal(0, await _db.ScalarAsync<int>("SELECT COUNT(*) FROM snapshots WHERE is_note = 1;"));
    }

    [Fact]
    public async Task An_intent_known_not_to_have_been_written_is_dropped_and_a_possibly_written_replay_forgets_the_write_in_doubt()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        var note = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Cord, "cm_1", id));
        await store.RecordIntentAsync(id, SystemId.Pylon, WriteAction.Create, id.ToString());
        await store.RecordIntentAsync(id, SystemId.Helpdesk, WriteAction.Create, id.ToString());

        await store.DropIntentAsync(id, SystemId.Pylon, WriteAction.Create);
        Assert.Null(await store.GetIntentAsync(id, SystemId.Pylon, WriteAction.Create));
        Assert.NotNull(await store.GetIntentAsync(id, SystemId.Helpdesk, WriteAction.Create));

        // The helpdesk cannot tell whether the create (and an edit note) took effect; the operator replays: write them.
        await store.RecordNoteIntentAsync(note, SystemId.Helpdesk, id);
        var outcome = await store.RecordOutcomeAsync(new NewOutcome("link-1", id, SystemId.Helpdesk, OutcomeKind.PossiblyWritten, "maybe", ChangeKind.Created));
        var replay = await store.ReplayOutcomeAsync(outcome);

        Assert.Equal((ChangeKind.Created, SystemId.Helpdesk), (replay!.Change, replay.Target));
        Assert.Null(await store.GetIntentAsync(id, SystemId.Helpdesk, WriteAction.Create));
        Assert.Null(await store.GetNoteCopyAsync(note, SystemId.Helpdesk));
        Assert.DoesNotContain(await store.GetOwnWritesAsync("link-1", SystemId.Helpdesk), w => w.CanonicalId == id);
    }

    [Fact]
    public async Task A_mirror_keeps_the_baseline_it_was_written_with_and_an_edit_of_it_the_new_one()
    {
        using var store = _db.Open();
        var id = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Pylon, "msg_1", id));

        await store.RecordMappingAsync(id, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, "words:first");
        Assert.Equal("words:first", (await store.GetSnapshotAsync("link-1", SystemId.Cord))["cm_1"].ContentHash);

        await store.RecordMirrorChangedAsync(id, SystemId.Cord, "cm_1", WriteAction.Edit, "words:second");
        Assert.Equal("words:second", (await store.GetSnapshotAsync("link-1", SystemId.Cord))["cm_1"].ContentHash);
    }

    [Fact]
    public async Task A_held_deletion_is_released_by_replay_and_accepted_by_acknowledgement_never_by_a_later_write()
    {
        using var store = _db.Open();
        Guid released = Guid.CreateVersion7(), kept = Guid.CreateVersion7();
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Cord, "cm_1", released));
        await store.CommitObservationAsync(Samples.Created("link-1", SystemId.Cord, "cm_2", kept));
        var replayId = await store.RecordOutcomeAsync(new NewOutcome("link-1", released, SystemId.Cord, OutcomeKind.HeldDeletion, "held", ChangeKind.Deleted));
        var ackId = await store.RecordOutcomeAsync(new NewOutcome("link-1", kept, SystemId.Cord, OutcomeKind.HeldDeletion, "held", ChangeKind.Deleted));

        Assert.Equal(0, await store.ResolveOutcomesAsync(released, SystemId.Cord));
        var replay = await store.ReplayOutcomeAsync(replayId);
        Assert.True(await store.AcknowledgeOutcomeAsync(ackId));

        Assert.Equal((ChangeKind.Deleted, released, SystemId.Cord, (SystemId?)null), (replay!.Change, replay.CanonicalId, replay.Source, replay.Target));
        Assert.NotNull((await store.GetMessageAsync(released))!.DeletedAt);
        Assert.Null((await store.GetMessageAsync(kept))!.DeletedAt);
        var snapshot = await store.GetSnapshotAsync("link-1", SystemId.Cord);
        Assert.True(snapshot["cm_1"].Deleted);
        Assert.True(snapshot["cm_2"].Deleted);
        Assert.Empty(await store.ListOutcomesAsync(includeResolved: false));
    }
}
