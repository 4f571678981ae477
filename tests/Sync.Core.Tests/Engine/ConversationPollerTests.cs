using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;

namespace MessageSync.Core.Tests.Engine;

/// <summary><see cref="ConversationPoller"/> over a real SQLite file and a fake system (DESIGN.md, "Detection by diff").</summary>
public sealed class ConversationPollerTests : IDisposable
{
    private readonly EngineRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task A_first_poll_reads_every_page_and_commits_each_new_message_once()
    {
        _rig.Pylon.PageSize = 2;
        for (var i = 0; i < 5; i++)
        {
            _rig.Pylon.Add("iss_1", $"message {i}");
        }

        var result = await _rig.Poller.PollAsync(_rig.Link, SystemId.Pylon, fullScan: false, CancellationToken.None);

        Assert.Equal((3, 5, 5, true), (result.Pages, result.Messages, result.Changes, result.FullScan));
        Assert.Equal(5, (await _rig.Store.GetUnpublishedAsync(100)).Count);
        Assert.Equal("4", await _rig.Store.GetCursorAsync(_rig.Link.Id, SystemId.Pylon));
    }

    [Fact]
    public async Task A_later_poll_resumes_at_the_cursor_and_finds_only_what_is_new()
    {
        _rig.Pylon.PageSize = 2;
        _rig.Pylon.Add("iss_1", "one");
        _rig.Pylon.Add("iss_1", "two");
        _rig.Pylon.Add("iss_1", "three");
        await _rig.PollAsync(SystemId.Pylon);
        var readsBefore = _rig.Pylon.Reads;

        _rig.Pylon.Add("iss_1", "four");
        var changes = await _rig.PollAsync(SystemId.Pylon);

        var change = Assert.Single(changes);
        Assert.Equal(ChangeKind.Created, change.Change);
        Assert.Equal("four", (await _rig.Store.GetMessageAsync(change.CanonicalId))!.BodyText);
        Assert.Equal(1, _rig.Pylon.Reads - readsBefore); // the last page only
    }

    [Fact]
    public async Task Nothing_changed_commits_nothing()
    {
        _rig.Pylon.Add("iss_1", "one");
        await _rig.PollAsync(SystemId.Pylon);

        Assert.Empty(await _rig.PollAsync(SystemId.Pylon));
        Assert.Empty(await _rig.PollAsync(SystemId.Pylon, fullScan: true));
    }

    [Fact]
    public async Task A_mirror_read_back_is_no_new_message()
    {
        _rig.Pylon.Add("iss_1", "Printer on fire");
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Pylon));

        Assert.Empty(await _rig.PollAsync(SystemId.Cord));
        Assert.Empty(await _rig.PollAsync(SystemId.Helpdesk, fullScan: true));
    }

    [Fact]
    public async Task A_persons_edit_of_a_mirror_is_an_edit_of_the_original()
    {
        var id = _rig.Pylon.Add("iss_1", "Printer on fire");
        var created = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        await _rig.ApplyEverywhereAsync([created]);
        await _rig.PollAsync(SystemId.Cord); // the first read-back sets the baseline
        var mirror = Assert.Single(_rig.Cord.Messages("th_4"));

        _rig.Cord.PersonEdits("th_4", mirror.Id, "<p>Printer was on fire</p>");
        var edited = Assert.Single(await _rig.PollAsync(SystemId.Cord));

        Assert.Equal((ChangeKind.Edited, created.CanonicalId, SystemId.Cord), (edited.Change, edited.CanonicalId, edited.Source));
        Assert.Equal(id, (await _rig.Store.GetMessageAsync(created.CanonicalId))!.Origin.ExternalId);
    }

    [Theory]
    [InlineData(SystemId.Cord)]
    [InlineData(SystemId.Helpdesk)]
    public async Task A_persons_edit_of_a_fresh_mirror_before_its_first_read_back_is_not_lost(SystemId target)
    {
        _rig.Pylon.Add("iss_1", "Printer on fire");
        var created = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        await _rig.ApplyAsync(created, target);
        var conversation = target == SystemId.Cord ? "th_4" : "tkt_9";
        var mirror = Assert.Single(_rig.System(target).Messages(conversation));

        // A person corrects the copy before the poller has ever read it back.
        _rig.System(target).PersonEdits(conversation, mirror.Id, mirror.Html.Replace("Printer on fire", "Printer was on fire", StringComparison.Ordinal));
        var edited = Assert.Single(await _rig.PollAsync(target));

        Assert.Equal((ChangeKind.Edited, created.CanonicalId, target), (edited.Change, edited.CanonicalId, edited.Source));
        Assert.Equal("Printer was on fire", (await _rig.Store.GetMessageAsync(created.CanonicalId))!.BodyText);
    }

    /// <summary>
    /// Item 11 covers redactions as well as edits: a person emptying the worker's fresh copy (Cord has no redaction; a person
    /// replaces the content) before its first read-back redacts the message everywhere, not the copy's baseline.
    /// </summary>
    [Fact]
    public async Task A_persons_redaction_of_a_fresh_mirror_before_its_first_read_back_is_not_lost()
    {
        _rig.Pylon.Add("iss_1", "My password is hunter2");
        var created = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        await _rig.ApplyAsync(created, SystemId.Cord);
        var mirror = Assert.Single(_rig.Cord.Messages("th_4"));

        _rig.Cord.PersonEdits("th_4", mirror.Id, "");
        var redacted = Assert.Single(await _rig.PollAsync(SystemId.Cord));
        await _rig.ApplyAsync(redacted, SystemId.Pylon);

        Assert.Equal((ChangeKind.Redacted, created.CanonicalId), (redacted.Change, redacted.CanonicalId));
        Assert.True(Assert.Single(_rig.Pylon.Messages("iss_1")).Redacted);
    }

    [Fact]
    public async Task A_persons_edit_of_a_mirror_found_by_recovery_before_its_first_read_back_is_not_lost()
    {
        _rig.Pylon.Add("iss_1", "Printer on fire");
        var created = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        _rig.Cord.Faults.Add(new Fault("create", new TransientApiException(SystemId.Cord, "connection reset"), AfterEffect: true));
        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(created, SystemId.Cord));
        var mirror = Assert.Single(_rig.Cord.Messages("th_4"));

        // While the worker is down, a person corrects the copy whose answer it lost; the restarted worker finds the copy.
        _rig.Cord.PersonEdits("th_4", mirror.Id, mirror.Html.Replace("Printer on fire", "Printer was on fire", StringComparison.Ordinal));
        _rig.Restart();
        await _rig.ApplyAsync(created, SystemId.Cord);
        var edited = Assert.Single(await _rig.PollAsync(SystemId.Cord));

        Assert.Single(_rig.Cord.Writes);
        Assert.Equal((ChangeKind.Edited, created.CanonicalId, SystemId.Cord), (edited.Change, edited.CanonicalId, edited.Source));
        Assert.Equal("Printer was on fire", (await _rig.Store.GetMessageAsync(created.CanonicalId))!.BodyText);
    }

    [Fact]
    public async Task A_copy_found_by_recovery_of_a_message_redacted_since_brings_no_text_back_as_an_edit()
    {
        var id = _rig.Pylon.Add("iss_1", "my password is hunter2");
        var created = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        _rig.Cord.Faults.Add(new Fault("create", new TransientApiException(SystemId.Cord, "connection reset"), AfterEffect: true));
        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(created, SystemId.Cord));

        // While the worker is down the original is redacted; the restarted worker first retries the create and finds the copy.
        _rig.Pylon.PersonRedacts("iss_1", id);
        var redacted = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        _rig.Restart();
        await _rig.ApplyAsync(created, SystemId.Cord);

        Assert.Empty(await _rig.PollAsync(SystemId.Cord));
        await _rig.ApplyAsync(redacted, SystemId.Cord);
        Assert.True(Assert.Single(_rig.Cord.Messages("th_4")).Redacted);
    }

    [Fact]
    public async Task A_fresh_mirror_that_the_target_reformats_is_no_edit()
    {
        _rig.Pylon.Add("iss_1", "Printer on fire");
        await _rig.ApplyAsync(Assert.Single(await _rig.PollAsync(SystemId.Pylon)), SystemId.Cord);
        var mirror = Assert.Single(_rig.Cord.Messages("th_4"));

        // The target stores the copy its own way (same words, other markup): the first read-back adopts it.
        _rig.Cord.PersonEdits("th_4", mirror.Id, mirror.Html.Replace("<p>Printer on fire", "<p><b>Printer</b>  on fire", StringComparison.Ordinal));

        Assert.Empty(await _rig.PollAsync(SystemId.Cord));
    }

    [Fact]
    public async Task A_soft_deleted_message_is_a_deletion()
    {
        var id = _rig.Cord.Add("th_4", "Oops");
        await _rig.PollAsync(SystemId.Cord);

        _rig.Cord.PersonDeletes("th_4", id);
        var change = Assert.Single(await _rig.PollAsync(SystemId.Cord));

        Assert.Equal(ChangeKind.Deleted, change.Change);
    }

    private async Task<List<string>> PersonWritesAsync(FakeMessageSystem system, string conversation, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => system.Add(conversation, $"message {i}")).ToList();
        await _rig.PollAsync(system.System);
        return ids;
    }

    [Fact]
    public async Task A_message_a_full_scan_misses_but_a_direct_read_finds_is_not_deleted()
    {
        var ids = await PersonWritesAsync(_rig.Cord, "th_4", 5);
        _rig.Cord.MissingFromLists.Add(ids[2]); // a read gap: the list leaves it out, the message is still there

        Assert.Empty(await _rig.PollAsync(SystemId.Cord, fullScan: true));
        Assert.False((await _rig.Store.GetSnapshotAsync(_rig.Link.Id, SystemId.Cord))[ids[2]].Deleted);
        Assert.Equal(1, _rig.Cord.Probes);
    }

    [Fact]
    public async Task A_message_a_direct_read_confirms_gone_is_deleted()
    {
        var ids = await PersonWritesAsync(_rig.Cord, "th_4", 5);
        _rig.Cord.Remove("th_4", ids[2]);

        var change = Assert.Single(await _rig.PollAsync(SystemId.Cord, fullScan: true));

        Assert.Equal(ChangeKind.Deleted, change.Change);
        Assert.True((await _rig.Store.GetSnapshotAsync(_rig.Link.Id, SystemId.Cord))[ids[2]].Deleted);
    }

    [Fact]
    public async Task Without_a_direct_read_a_second_read_must_miss_the_message_too()
    {
        _rig.Pylon.CanProbe = false;
        var ids = await PersonWritesAsync(_rig.Pylon, "iss_1", 5);

        _rig.Pylon.MissingFromNextRead.Add(ids[1]); // one flaky list
        Assert.Empty(await _rig.PollAsync(SystemId.Pylon, fullScan: true));

        _rig.Pylon.Remove("iss_1", ids[1]); // really gone
        Assert.Equal(ChangeKind.Deleted, Assert.Single(await _rig.PollAsync(SystemId.Pylon, fullScan: true)).Change);
        Assert.Equal(0, _rig.Pylon.Probes);
    }

    [Fact]
    public async Task A_scan_in_which_most_of_a_conversation_vanished_holds_the_deletions_and_reports_them_once()
    {
        var ids = await PersonWritesAsync(_rig.Cord, "th_4", 5);
        foreach (var id in ids.Take(4))
        {
            _rig.Cord.Remove("th_4", id);
        }

        Assert.Empty(await _rig.PollAsync(SystemId.Cord, fullScan: true));
        Assert.Empty(await _rig.PollAsync(SystemId.Cord, fullScan: true));

        var held = await _rig.OpenOutcomesAsync();
        Assert.Equal(4, held.Count);
        Assert.All(held, o => Assert.Equal((OutcomeKind.HeldDeletion, SystemId.Cord, ChangeKind.Deleted), (o.Kind, o.Target, o.Change)));
        Assert.Contains("4 of 5", held[0].Reason, StringComparison.Ordinal);
        Assert.Single(_rig.PollerLog.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("held", StringComparison.Ordinal));
        var snapshot = await _rig.Store.GetSnapshotAsync(_rig.Link.Id, SystemId.Cord);
        Assert.All(ids.Take(4), id => Assert.False(snapshot[id].Deleted));
    }

    [Fact]
    public async Task Replaying_a_held_deletion_deletes_the_message_everywhere()
    {
        var ids = Enumerable.Range(0, 3).Select(i => _rig.Cord.Add("th_4", $"message {i}")).ToList();
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Cord));
        foreach (var id in ids)
        {
            _rig.Cord.Remove("th_4", id);
        }

        await _rig.PollAsync(SystemId.Cord, fullScan: true);
        var held = (await _rig.OpenOutcomesAsync()).First(o => o.Kind == OutcomeKind.HeldDeletion);
        var replay = await _rig.Store.ReplayOutcomeAsync(held.Id);

        Assert.Equal((ChangeKind.Deleted, held.CanonicalId!.Value, SystemId.Cord, (SystemId?)null), (replay!.Change, replay.CanonicalId, replay.Source, replay.Target));
        await _rig.ApplyEverywhereAsync(await _rig.PublishAsync());
        Assert.Equal(2, _rig.Pylon.Messages("iss_1").Count(m => !m.Deleted));
        Assert.NotNull((await _rig.Store.GetMessageAsync(held.CanonicalId.Value))!.DeletedAt);
        Assert.Empty(await _rig.PollAsync(SystemId.Cord, fullScan: true)); // the replayed one is known deleted; the other two stay held
        Assert.Equal(2, (await _rig.OpenOutcomesAsync()).Count(o => o.Kind == OutcomeKind.HeldDeletion));
    }

    [Fact]
    public async Task Acknowledging_a_held_deletion_keeps_the_copies_and_later_scans_stop_reporting_it()
    {
        var ids = Enumerable.Range(0, 3).Select(i => _rig.Cord.Add("th_4", $"message {i}")).ToList();
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Cord));
        foreach (var id in ids)
        {
            _rig.Cord.Remove("th_4", id);
        }

        await _rig.PollAsync(SystemId.Cord, fullScan: true);
        foreach (var held in await _rig.OpenOutcomesAsync())
        {
            Assert.True(await _rig.Store.AcknowledgeOutcomeAsync(held.Id));
        }

        Assert.Empty(await _rig.PollAsync(SystemId.Cord, fullScan: true));
        Assert.Empty(await _rig.OpenOutcomesAsync());
        Assert.Equal(3, _rig.Pylon.Messages("iss_1").Count(m => !m.Deleted));
    }

    [Fact]
    public async Task A_person_quoting_a_mirror_with_its_marker_writes_a_new_message_without_the_marker()
    {
        _rig.Pylon.Add("iss_1", "Printer on fire");
        var original = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        await _rig.ApplyAsync(original, SystemId.Helpdesk);
        var mirror = Assert.Single(_rig.Helpdesk.Messages("tkt_9"));
        await _rig.PollAsync(SystemId.Helpdesk);

        // An agent pastes the mirror's HTML, marker and all, into a new message of the same ticket.
        _rig.Helpdesk.Add("tkt_9", "", MessageKind.AgentReply, new Author("Agent Smith"), html: "<p>As you said:</p>" + mirror.Html);
        var created = Assert.Single(await _rig.PollAsync(SystemId.Helpdesk));

        Assert.Equal(ChangeKind.Created, created.Change);
        Assert.NotEqual(original.CanonicalId, created.CanonicalId);
        var quoted = (await _rig.Store.GetMessageAsync(created.CanonicalId))!;
        Assert.DoesNotContain("data-sync-id", quoted.BodyHtml, StringComparison.Ordinal);
        Assert.Contains("Printer on fire", quoted.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_marker_does_not_hide_a_message()
    {
        _rig.Cord.Add("th_4", "", html: $"<p>Hello</p><p><span data-sync-id=\"{Guid.CreateVersion7():D}\"></span></p>");

        Assert.Equal(ChangeKind.Created, Assert.Single(await _rig.PollAsync(SystemId.Cord)).Change);
    }

    [Fact]
    public async Task Our_write_read_back_before_its_mapping_is_recorded_is_no_new_message()
    {
        _rig.Pylon.Add("iss_1", "Printer on fire");
        var original = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        _rig.Restart(crashBefore: nameof(IStateStore.RecordMappingAsync)); // the write took effect, the mapping is not there yet

        await Assert.ThrowsAsync<SimulatedCrashException>(() => _rig.ApplyAsync(original, SystemId.Cord));

        Assert.Empty(await _rig.PollAsync(SystemId.Cord));
        var row = Assert.Single((await _rig.Store.GetSnapshotAsync(_rig.Link.Id, SystemId.Cord)).Values);
        Assert.Equal(original.CanonicalId, row.CanonicalId);
    }
}
