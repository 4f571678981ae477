using MessageSync.Core.Content;
using MessageSync.Core.Contracts;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using MessageSync.Core.Tests.State;

namespace MessageSync.Core.Tests.Engine;

/// <summary>
/// Recovery after a lost answer where the conversation itself cannot say whether the target keeps our marker (issue 9.6):
/// the first copy into a conversation, settled by what the system showed elsewhere and kept in the state store; a copy a
/// person redacted before we recorded it; and a failure before the write was sent, which leaves nothing in doubt.
/// </summary>
public sealed class MarkerKnowledgeTests : IDisposable
{
    private readonly EngineRig _rig = new();

    public void Dispose() => _rig.Dispose();

    private async Task<MessageChanged> CordReplyAsync(string thread, string text)
    {
        _rig.Cord.Add(thread, text, MessageKind.AgentReply, new Author("Agent Smith"));
        return Assert.Single(await _rig.PollAsync(SystemId.Cord));
    }

    /// <summary>A first Cord reply copied into the link's (empty) Pylon issue, its answer lost, taking effect or not.</summary>
    private async Task<MessageChanged> FirstCopyFailsAsync(string thread, bool afterEffect)
    {
        var change = await CordReplyAsync(thread, "We are on it");
        _rig.Pylon.Faults.Add(new Fault("create", new TransientApiException(SystemId.Pylon, "connection reset"), afterEffect));
        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(change, SystemId.Pylon));
        return change;
    }

    [Fact]
    public async Task A_mirror_read_back_with_its_marker_teaches_that_the_system_keeps_markers()
    {
        await _rig.ApplyAsync(await CordReplyAsync("th_4", "Hello"), SystemId.Pylon);
        Assert.Null(await _rig.Store.GetMarkerKeepingAsync(SystemId.Pylon));

        await _rig.PollAsync(SystemId.Pylon);

        var learned = await _rig.Store.GetMarkerKeepingAsync(SystemId.Pylon);
        Assert.True(learned!.Keeps);
        Assert.Contains("link-1", learned.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_system_that_strips_markers_teaches_nothing_by_its_reads()
    {
        _rig.Pylon.StripsMarkers = true;
        await _rig.ApplyAsync(await CordReplyAsync("th_4", "Hello"), SystemId.Pylon);

        await _rig.PollAsync(SystemId.Pylon);

        Assert.Null(await _rig.Store.GetMarkerKeepingAsync(SystemId.Pylon));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_first_copy_into_a_conversation_whose_answer_was_lost_is_settled_by_what_the_system_showed_before(bool afterEffect)
    {
        await _rig.ApplyAsync(await CordReplyAsync("th_4", "Hello"), SystemId.Pylon);
        await _rig.PollAsync(SystemId.Pylon); // Pylon shows it keeps markers
        _rig.OtherLinks.Add(_rig.Link);
        _rig.Link = Samples.Link("link-2") with { PylonIssueId = "iss_2", CordThreadId = "th_5", HelpdeskTicketId = "tkt_10" };
        var change = await FirstCopyFailsAsync("th_5", afterEffect);

        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Pylon);

        var copy = Assert.Single(_rig.Pylon.Messages("iss_2"));
        Assert.Equal(change.CanonicalId, SyncMarker.Find(copy.Html));
        Assert.Equal(copy.Id, (await _rig.Store.GetMappingAsync(change.CanonicalId, SystemId.Pylon))!.ExternalId);
        Assert.Empty(await _rig.OpenOutcomesAsync());
    }

    [Fact]
    public async Task With_nothing_learned_yet_another_linked_conversation_holding_our_copies_is_asked()
    {
        await _rig.ApplyAsync(await CordReplyAsync("th_4", "Hello"), SystemId.Pylon); // recorded, never read back
        _rig.OtherLinks.Add(_rig.Link);
        _rig.Link = Samples.Link("link-2") with { PylonIssueId = "iss_2", CordThreadId = "th_5", HelpdeskTicketId = "tkt_10" };
        var change = await FirstCopyFailsAsync("th_5", afterEffect: false);

        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Pylon);

        Assert.Single(_rig.Pylon.Messages("iss_2"));
        Assert.Empty(await _rig.OpenOutcomesAsync());
        Assert.True((await _rig.Store.GetMarkerKeepingAsync(SystemId.Pylon))!.Keeps);
    }

    [Fact]
    public async Task Where_the_system_was_seen_to_strip_markers_the_first_copy_stays_possibly_written()
    {
        _rig.Pylon.StripsMarkers = true;
        await _rig.ApplyAsync(await CordReplyAsync("th_4", "Hello"), SystemId.Pylon);
        _rig.OtherLinks.Add(_rig.Link);
        _rig.Link = Samples.Link("link-2") with { PylonIssueId = "iss_2", CordThreadId = "th_5", HelpdeskTicketId = "tkt_10" };
        var change = await FirstCopyFailsAsync("th_5", afterEffect: true);

        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Pylon);

        Assert.Single(_rig.Pylon.Messages("iss_2"));
        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal(OutcomeKind.PossiblyWritten, outcome.Kind);
        Assert.False((await _rig.Store.GetMarkerKeepingAsync(SystemId.Pylon))!.Keeps);
    }

    [Fact]
    public async Task With_nothing_anywhere_showing_it_a_lost_answer_waits_for_evidence_and_is_reported_on_the_last_attempt()
    {
        var change = await FirstCopyFailsAsync("th_4", afterEffect: false);
        _rig.Restart();

        var waiting = await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(change, SystemId.Pylon));
        Assert.Contains("waiting for a copy of ours", waiting.Message, StringComparison.Ordinal);
        Assert.Empty(await _rig.OpenOutcomesAsync());
        await _rig.ApplyAsync(change, SystemId.Pylon, lastAttempt: true);

        Assert.Empty(_rig.Pylon.Messages("iss_1"));
        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal((OutcomeKind.PossiblyWritten, ChangeKind.Created), (outcome.Kind, outcome.Change));
    }

    [Fact]
    public async Task A_copy_a_person_redacted_before_we_recorded_it_is_not_written_a_second_time()
    {
        _rig.Pylon.Clock = _rig.Clock.GetUtcNow;
        await _rig.ApplyAsync(await CordReplyAsync("th_4", "Hello"), SystemId.Pylon);
        var change = await CordReplyAsync("th_4", "My password is hunter2");
        _rig.Pylon.Faults.Add(new Fault("create", new TransientApiException(SystemId.Pylon, "connection reset"), AfterEffect: true));
        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(change, SystemId.Pylon));
        _rig.Pylon.PersonRedacts("iss_1", _rig.Pylon.Messages("iss_1")[^1].Id); // the copy, no marker left

        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Pylon);

        Assert.Equal(2, _rig.Pylon.Messages("iss_1").Count);
        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal(OutcomeKind.PossiblyWritten, outcome.Kind);
        Assert.Contains("emptied by a redaction", outcome.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_persons_message_redacted_since_the_write_is_not_taken_for_the_copy_when_its_shape_or_a_read_says_so(bool readBefore)
    {
        _rig.Pylon.Clock = _rig.Clock.GetUtcNow;
        await _rig.ApplyAsync(await CordReplyAsync("th_4", "Hello"), SystemId.Pylon); // our copies are notes in Pylon
        var change = await CordReplyAsync("th_4", "Thanks!");
        _rig.Pylon.Faults.Add(new Fault("create", new TransientApiException(SystemId.Pylon, "connection reset")));
        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(change, SystemId.Pylon));

        // Meanwhile a person writes in Pylon and redacts it: a customer message (not our note's shape), or an internal note the
        // worker read with its content before the redaction.
        var theirs = _rig.Pylon.Add("iss_1", "my card number", readBefore ? MessageKind.InternalNote : MessageKind.CustomerMessage, new Author("Agent Smith"));
        if (readBefore)
        {
            await _rig.PollAsync(SystemId.Pylon);
        }

        _rig.Pylon.PersonRedacts("iss_1", theirs);
        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Pylon);

        Assert.Equal(3, _rig.Pylon.Messages("iss_1").Count);
        Assert.Equal(change.CanonicalId, SyncMarker.Find(_rig.Pylon.Messages("iss_1")[^1].Html));
        Assert.Empty(await _rig.OpenOutcomesAsync());
    }

    [Fact]
    public async Task A_redacted_message_older_than_the_write_is_not_taken_for_the_copy()
    {
        _rig.Pylon.Clock = _rig.Clock.GetUtcNow;
        var old = _rig.Pylon.Add("iss_1", "An old secret");
        _rig.Pylon.PersonRedacts("iss_1", old);
        await _rig.ApplyAsync(await CordReplyAsync("th_4", "Hello"), SystemId.Pylon);
        _rig.Clock.Advance(TimeSpan.FromMinutes(10));
        var change = await CordReplyAsync("th_4", "Thanks!");
        _rig.Pylon.Faults.Add(new Fault("create", new TransientApiException(SystemId.Pylon, "connection reset")));
        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(change, SystemId.Pylon));

        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Pylon);

        Assert.Equal(3, _rig.Pylon.Messages("iss_1").Count);
        Assert.Empty(await _rig.OpenOutcomesAsync());
    }

    [Fact]
    public async Task A_failure_before_the_write_was_sent_leaves_nothing_in_doubt()
    {
        _rig.Pylon.StripsMarkers = true; // a search could not tell: only dropping the intent avoids possibly_written
        await _rig.ApplyAsync(await CordReplyAsync("th_4", "Hello"), SystemId.Pylon);
        var change = await CordReplyAsync("th_4", "Thanks!");
        _rig.Pylon.Faults.Add(new Fault("create", new WriteNotSentException(SystemId.Pylon, "not sent: listing the issue failed")));

        await Assert.ThrowsAsync<WriteNotSentException>(() => _rig.ApplyAsync(change, SystemId.Pylon));
        Assert.Null(await _rig.Store.GetIntentAsync(change.CanonicalId, SystemId.Pylon, WriteAction.Create));
        await _rig.ApplyAsync(change, SystemId.Pylon);

        Assert.Equal(2, _rig.Pylon.Messages("iss_1").Count);
        Assert.Empty(await _rig.OpenOutcomesAsync());
    }
}
