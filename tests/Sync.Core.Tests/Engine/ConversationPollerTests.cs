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
}
