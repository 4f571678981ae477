using MessageSync.Core.Content;
using MessageSync.Core.Contracts;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;

namespace MessageSync.Core.Tests.Engine;

/// <summary>
/// <see cref="ChangeApplier"/> over a real SQLite file and fake systems: one test per crash point of the idempotent apply
/// (DESIGN.md, "Idempotent apply") and per outcome. A crash is the applier failing at that point and a new applier over
/// the same file receiving the same change again, as the transport redelivers it.
/// </summary>
public sealed class ChangeApplierTests : IDisposable
{
    private readonly EngineRig _rig = new();

    public void Dispose() => _rig.Dispose();

    private async Task<MessageChanged> CustomerWritesInPylonAsync(string text = "My printer is on fire")
    {
        _rig.Pylon.Add("iss_1", text);
        return Assert.Single(await _rig.PollAsync(SystemId.Pylon));
    }

    [Fact]
    public async Task A_created_message_is_copied_once_and_its_mapping_recorded()
    {
        var change = await CustomerWritesInPylonAsync();

        await _rig.ApplyAsync(change, SystemId.Cord);

        var copy = Assert.Single(_rig.Cord.Messages("th_4"));
        var mapping = await _rig.Store.GetMappingAsync(change.CanonicalId, SystemId.Cord);
        Assert.Equal(copy.Id, mapping!.ExternalId);
        Assert.True(await _rig.Store.IsChangeAppliedAsync(change.ChangeId, SystemId.Cord));
    }

    [Fact]
    public async Task A_change_delivered_twice_has_one_effect()
    {
        var change = await CustomerWritesInPylonAsync();

        await _rig.ApplyAsync(change, SystemId.Cord);
        await _rig.ApplyAsync(change, SystemId.Cord);

        Assert.Single(_rig.Cord.Writes);
    }

    [Fact]
    public async Task A_change_is_not_written_back_to_its_source()
    {
        var change = await CustomerWritesInPylonAsync();

        await _rig.ApplyAsync(change, SystemId.Pylon);

        Assert.Empty(_rig.Pylon.Writes);
        Assert.True(await _rig.Store.IsChangeAppliedAsync(change.ChangeId, SystemId.Pylon));
    }

    [Fact]
    public async Task Crash_after_the_intent_before_the_remote_write_writes_once_on_redelivery()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Cord.Faults.Add(new Fault("create", new SimulatedCrashException("the remote write")));

        await Assert.ThrowsAsync<SimulatedCrashException>(() => _rig.ApplyAsync(change, SystemId.Cord));
        Assert.NotNull(await _rig.Store.GetIntentAsync(change.CanonicalId, SystemId.Cord, WriteAction.Create));
        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Cord);

        Assert.Single(_rig.Cord.Writes);
        Assert.Null(await _rig.Store.GetIntentAsync(change.CanonicalId, SystemId.Cord, WriteAction.Create));
    }

    [Theory]
    [InlineData(SystemId.Cord)]
    [InlineData(SystemId.Pylon)]
    public async Task A_write_whose_response_was_lost_is_found_and_not_written_again(SystemId target)
    {
        _rig.Helpdesk.Add("tkt_9", "Please call me");
        var change = Assert.Single(await _rig.PollAsync(SystemId.Helpdesk));
        _rig.System(target).Faults.Add(new Fault("create", new TransientApiException(target, "connection reset"), AfterEffect: true));

        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(change, target));
        _rig.Restart();
        await _rig.ApplyAsync(change, target);

        var copy = Assert.Single(_rig.System(target).Messages(target == SystemId.Cord ? "th_4" : "iss_1"));
        Assert.Equal(copy.Id, (await _rig.Store.GetMappingAsync(change.CanonicalId, target))!.ExternalId);
        Assert.Contains(_rig.ApplierLog.Lines, l => l.Message.Contains("Recovered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Crash_after_the_remote_write_before_the_mapping_is_recovered_without_a_second_copy()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Restart(crashBefore: nameof(IStateStore.RecordMappingAsync));

        await Assert.ThrowsAsync<SimulatedCrashException>(() => _rig.ApplyAsync(change, SystemId.Cord));
        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Cord);

        Assert.Single(_rig.Cord.Messages("th_4"));
        Assert.NotNull(await _rig.Store.GetMappingAsync(change.CanonicalId, SystemId.Cord));
    }

    [Fact]
    public async Task Crash_after_the_mapping_before_the_change_is_marked_applied_writes_nothing_more()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Restart(crashBefore: nameof(IStateStore.CompleteChangeAsync));

        await Assert.ThrowsAsync<SimulatedCrashException>(() => _rig.ApplyAsync(change, SystemId.Cord));
        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Cord);

        Assert.Single(_rig.Cord.Writes);
        Assert.True(await _rig.Store.IsChangeAppliedAsync(change.ChangeId, SystemId.Cord));
    }

    [Fact]
    public async Task A_closed_conversation_parks_the_change()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Helpdesk.Faults.Add(new Fault("create", new ConversationClosedException(SystemId.Helpdesk, "TICKET_CLOSED", "closed")));

        await _rig.ApplyAsync(change, SystemId.Helpdesk);

        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal((OutcomeKind.Parked, SystemId.Helpdesk, ChangeKind.Created), (outcome.Kind, outcome.Target, outcome.Change));
        Assert.Contains("TICKET_CLOSED", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_permanent_error_is_faulted_and_not_retried()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Cord.Faults.Add(new Fault("create", new PermanentApiException(SystemId.Cord, 400, "content is invalid")));

        await Assert.ThrowsAsync<ChangeFaultedException>(() => _rig.ApplyAsync(change, SystemId.Cord));

        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal((OutcomeKind.Faulted, SystemId.Cord), (outcome.Kind, outcome.Target));
    }

    [Fact]
    public async Task A_transient_error_is_retried_and_recorded_only_on_the_last_attempt()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Cord.Faults.Add(new Fault("create", new TransientApiException(SystemId.Cord, "503")));
        _rig.Cord.Faults.Add(new Fault("find", new TransientApiException(SystemId.Cord, "503")));

        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(change, SystemId.Cord));
        Assert.Empty(await _rig.OpenOutcomesAsync());
        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(change, SystemId.Cord, lastAttempt: true));

        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal(OutcomeKind.Faulted, outcome.Kind);
        Assert.Contains("gave up after retries", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unexpected_failure_on_the_last_attempt_is_recorded_too()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Cord.Faults.Add(new Fault("create", new InvalidOperationException("a bug")));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _rig.ApplyAsync(change, SystemId.Cord, lastAttempt: true));

        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal(OutcomeKind.Faulted, outcome.Kind);
        Assert.Contains("a bug", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_refused_before_the_last_attempt_keep_the_change_queued()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Cord.Faults.Add(new Fault("create", new AuthenticationException(SystemId.Cord, "401 Unauthorized")));

        await Assert.ThrowsAsync<AuthenticationException>(() => _rig.ApplyAsync(change, SystemId.Cord));

        Assert.True(_rig.Pause.IsPaused(SystemId.Cord, out _));
        Assert.Empty(await _rig.OpenOutcomesAsync());
        Assert.False(await _rig.Store.IsChangeAppliedAsync(change.ChangeId, SystemId.Cord));
    }

    [Fact]
    public async Task Credentials_refused_past_the_retries_park_the_change_and_it_is_replayed_once_the_system_accepts_them()
    {
        var change = await CustomerWritesInPylonAsync("first");
        _rig.Cord.Faults.Add(new Fault("create", new AuthenticationException(SystemId.Cord, "401 Unauthorized")));

        // The transport's last attempt: the change must not vanish into an error queue that status cannot see.
        await _rig.ApplyAsync(change, SystemId.Cord, lastAttempt: true);

        var parked = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal((OutcomeKind.Parked, SystemId.Cord, change.CanonicalId), (parked.Kind, parked.Target, parked.CanonicalId));
        Assert.Contains("credentials", parked.Reason, StringComparison.Ordinal);
        Assert.Empty(_rig.Cord.Writes);

        // The credentials are fixed: the next change to Cord succeeds, the system resumes and the parked change goes out again.
        _rig.Clock.Advance(SystemPause.MaxDelay);
        var next = await CustomerWritesInPylonAsync("second");
        await _rig.ApplyAsync(next, SystemId.Cord);
        var replayed = Assert.Single(await _rig.PublishAsync());
        await _rig.ApplyAsync(replayed, SystemId.Cord);

        Assert.Equal((change.CanonicalId, SystemId.Cord), (replayed.CanonicalId, replayed.Target));
        Assert.Equal(2, _rig.Cord.Messages("th_4").Count);
        Assert.Empty(await _rig.OpenOutcomesAsync());
        Assert.Single(_rig.PauseLog.Lines, l => l.Message.Contains("accepts our credentials again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_later_success_resolves_the_outcome_a_replay_was_for()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Helpdesk.Faults.Add(new Fault("create", new ConversationClosedException(SystemId.Helpdesk, "TICKET_CLOSED", "closed")));
        await _rig.ApplyAsync(change, SystemId.Helpdesk);

        var replay = await _rig.Store.ReplayOutcomeAsync(Assert.Single(await _rig.OpenOutcomesAsync()).Id);
        await _rig.ApplyAsync(replay!, SystemId.Helpdesk);

        Assert.Empty(await _rig.OpenOutcomesAsync());
        Assert.Single(_rig.Helpdesk.Messages("tkt_9"));
    }

    [Fact]
    public async Task An_internal_note_withheld_from_a_customer_visible_Cord_thread_is_a_recorded_outcome()
    {
        _rig.Link = _rig.Link with { CordThreadCustomerVisible = true };
        _rig.Pylon.Add("iss_1", "Customer is grumpy", MessageKind.InternalNote, new Author("Agent Smith"));
        var change = Assert.Single(await _rig.PollAsync(SystemId.Pylon));

        await _rig.ApplyAsync(change, SystemId.Cord);

        Assert.Empty(_rig.Cord.Writes);
        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal(OutcomeKind.Skipped, outcome.Kind);
        Assert.Contains("withheld", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_for_a_link_no_longer_configured_is_a_recorded_outcome()
    {
        var change = await CustomerWritesInPylonAsync();
        _rig.Link = _rig.Link with { Id = "another-link" };

        await _rig.ApplyAsync(change, SystemId.Cord);

        Assert.Empty(_rig.Cord.Writes);
        Assert.Contains("no longer configured", Assert.Single(await _rig.OpenOutcomesAsync()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_reaches_a_copy_that_can_be_edited_and_is_a_note_where_it_cannot()
    {
        var created = await CustomerWritesInPylonAsync("Printer on fire");
        await _rig.ApplyEverywhereAsync([created]);
        var original = Assert.Single(_rig.Pylon.Messages("iss_1"));

        _rig.Pylon.PersonEdits("iss_1", original.Id, "<p>Printer was on fire</p>");
        var edited = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        await _rig.ApplyEverywhereAsync([edited]);

        Assert.Contains("Printer was on fire", Assert.Single(_rig.Cord.Messages("th_4")).Html, StringComparison.Ordinal);
        Assert.Equal(2, _rig.Helpdesk.Messages("tkt_9").Count);
        Assert.Equal(("Edited in Pylon", MessageKind.InternalNote), (_rig.Helpdesk.Created[^1].Label, _rig.Helpdesk.Created[^1].TargetKind));
    }

    [Fact]
    public async Task A_redaction_reaches_every_copy_that_can_take_it_and_is_reported_where_it_cannot()
    {
        var created = await CustomerWritesInPylonAsync("My password is hunter2");
        await _rig.ApplyEverywhereAsync([created]);

        _rig.Pylon.PersonRedacts("iss_1", Assert.Single(_rig.Pylon.Messages("iss_1")).Id);
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Pylon));

        Assert.True(Assert.Single(_rig.Cord.Messages("th_4")).Redacted);
        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal((OutcomeKind.UnpropagatedRedaction, SystemId.Helpdesk), (outcome.Kind, outcome.Target));
    }

    [Fact]
    public async Task A_deletion_follows_the_target_policy()
    {
        _rig.Policies[SystemId.Cord] = new TargetPolicy { Deletion = DeletionPolicy.Delete, PreferSoftDelete = true };
        var created = await CustomerWritesInPylonAsync();
        await _rig.ApplyEverywhereAsync([created]);

        _rig.Pylon.PersonDeletes("iss_1", Assert.Single(_rig.Pylon.Messages("iss_1")).Id);
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Pylon));

        Assert.True(Assert.Single(_rig.Cord.Messages("th_4")).Deleted);
        Assert.Equal(OutcomeKind.Skipped, Assert.Single(await _rig.OpenOutcomesAsync()).Kind); // the helpdesk cannot delete
    }

    /// <summary>A customer message in Cord copied to Pylon (which cannot edit, like the real one) and the helpdesk, then edited in Cord.</summary>
    private async Task<(MessageChanged Created, string PylonMirror, string PylonNote, string CordOriginal)> EditedInCordAsync(string secret = "hunter2")
    {
        _rig.Pylon.Capabilities = FakeMessageSystem.AllCapabilities with { CanEdit = false, CanSoftDelete = false };
        var original = _rig.Cord.Add("th_4", "My password is x");
        var created = Assert.Single(await _rig.PollAsync(SystemId.Cord));
        await _rig.ApplyEverywhereAsync([created]);
        var mirror = Assert.Single(_rig.Pylon.Messages("iss_1")).Id;

        _rig.Cord.PersonEdits("th_4", original, $"<p>My password is {secret}</p>");
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Cord));
        var note = _rig.Pylon.Messages("iss_1").Single(m => m.Id != mirror).Id;
        return (created, mirror, note, original);
    }

    [Fact]
    public async Task A_redaction_reaches_every_edit_note_and_the_unpropagated_outcome_counts_every_copy()
    {
        var (created, mirror, note, original) = await EditedInCordAsync();
        Assert.Contains("hunter2", _rig.Pylon.Message("iss_1", note).Html, StringComparison.Ordinal);

        _rig.Cord.PersonRedacts("th_4", original);
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Cord));

        Assert.All(_rig.Pylon.Messages("iss_1"), m => Assert.True(m.Redacted, $"{m.Id} still shows: {m.Html}"));
        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal((OutcomeKind.UnpropagatedRedaction, SystemId.Helpdesk, created.CanonicalId), (outcome.Kind, outcome.Target, outcome.CanonicalId));
        Assert.Contains("2 copies", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(2, _rig.Helpdesk.Messages("tkt_9").Count);
        Assert.NotEqual(mirror, note);
    }

    [Fact]
    public async Task A_deletion_reaches_every_edit_note_too()
    {
        var (_, _, _, original) = await EditedInCordAsync();

        _rig.Cord.PersonDeletes("th_4", original);
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Cord));

        Assert.Empty(_rig.Pylon.Messages("iss_1"));
    }

    [Fact]
    public async Task An_edit_note_whose_response_was_lost_is_found_by_its_change_and_not_written_twice()
    {
        _rig.Pylon.Capabilities = FakeMessageSystem.AllCapabilities with { CanEdit = false };
        var original = _rig.Cord.Add("th_4", "Printer on fire");
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Cord));
        _rig.Cord.PersonEdits("th_4", original, "<p>Printer was on fire</p>");
        var edited = Assert.Single(await _rig.PollAsync(SystemId.Cord));
        _rig.Pylon.Faults.Add(new Fault("create", new TransientApiException(SystemId.Pylon, "connection reset"), AfterEffect: true));

        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(edited, SystemId.Pylon));
        _rig.Restart();
        await _rig.ApplyAsync(edited, SystemId.Pylon);

        Assert.Equal(2, _rig.Pylon.Messages("iss_1").Count); // the mirror and one note
        Assert.Empty(await _rig.PollAsync(SystemId.Pylon)); // and the note reads back as ours
    }

    [Fact]
    public async Task Deleting_an_edit_note_is_not_a_deletion_of_the_message()
    {
        var (_, _, note, _) = await EditedInCordAsync();
        await _rig.PollAsync(SystemId.Pylon);

        _rig.Pylon.PersonDeletes("iss_1", note);
        Assert.Empty(await _rig.PollAsync(SystemId.Pylon));

        _rig.Pylon.Remove("iss_1", note);
        Assert.Empty(await _rig.PollAsync(SystemId.Pylon, fullScan: true));
    }

    [Fact]
    public async Task A_person_redacting_an_edit_note_redacts_the_message_everywhere()
    {
        var (created, _, note, original) = await EditedInCordAsync();
        await _rig.PollAsync(SystemId.Pylon);

        _rig.Pylon.PersonRedacts("iss_1", note);
        var redacted = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        await _rig.ApplyEverywhereAsync([redacted]);

        Assert.Equal((ChangeKind.Redacted, created.CanonicalId), (redacted.Change, redacted.CanonicalId));
        Assert.True(_rig.Cord.Message("th_4", original).Redacted);
    }

    /// <summary>
    /// The orphaned copy (found by the chaos scenario RemovedWhileDown): a copy written just before a crash, not yet recorded,
    /// whose original is redacted or deleted before the worker is back. The removal must reach that copy, found by its marker
    /// through the create intent the killed attempt left, whichever change is delivered first.
    /// </summary>
    [Theory]
    [InlineData(ChangeKind.Redacted, true)]
    [InlineData(ChangeKind.Redacted, false)]
    [InlineData(ChangeKind.Deleted, true)]
    [InlineData(ChangeKind.Deleted, false)]
    public async Task A_copy_written_just_before_a_crash_is_removed_when_its_original_is_removed_while_the_worker_is_down(ChangeKind removal, bool createRetriedFirst)
    {
        var created = await CustomerWritesInPylonAsync("My password is hunter2");
        _rig.Restart(crashBefore: nameof(IStateStore.RecordMappingAsync));
        await Assert.ThrowsAsync<SimulatedCrashException>(() => _rig.ApplyAsync(created, SystemId.Cord));
        var copy = Assert.Single(_rig.Cord.Messages("th_4")).Id;

        var original = Assert.Single(_rig.Pylon.Messages("iss_1")).Id;
        if (removal == ChangeKind.Redacted)
        {
            _rig.Pylon.PersonRedacts("iss_1", original);
        }
        else
        {
            _rig.Pylon.PersonDeletes("iss_1", original);
        }

        _rig.Restart();
        var removed = Assert.Single(await _rig.PollAsync(SystemId.Pylon));
        Assert.Equal(removal, removed.Change);
        foreach (var change in createRetriedFirst ? new[] { created, removed } : [removed, created])
        {
            await _rig.ApplyAsync(change, SystemId.Cord);
        }

        var left = _rig.Cord.Messages("th_4");
        if (removal == ChangeKind.Redacted)
        {
            Assert.True(Assert.Single(left).Redacted, "the copy written before the crash still shows the redacted text");
        }
        else
        {
            Assert.True(left.All(m => m.Id != copy || m.Deleted), "the copy written before the crash is still there");
        }

        Assert.Single(_rig.Cord.Writes, w => w.StartsWith("create:", StringComparison.Ordinal));
        Assert.Null(await _rig.Store.GetIntentAsync(created.CanonicalId, SystemId.Cord, WriteAction.Create));
        Assert.Empty(await _rig.OpenOutcomesAsync());
    }

    private async Task<MessageChanged> CordMessageAsync(string text)
    {
        _rig.Cord.Add("th_4", text, MessageKind.AgentReply, new Author("Agent Smith"));
        return Assert.Single(await _rig.PollAsync(SystemId.Cord));
    }

    /// <summary>
    /// Pylon (storing bodies without our marker when <paramref name="strips"/>) holds one copy of ours; the next Cord message's
    /// create in Pylon fails without an answer, after taking effect (a lost answer) or before.
    /// </summary>
    private async Task<MessageChanged> SecondCopyFailsAsync(bool strips, bool afterEffect, string text = "Thanks!", Action? meanwhile = null)
    {
        _rig.Pylon.StripsMarkers = strips;
        await _rig.ApplyAsync(await CordMessageAsync("Hello, we are on it"), SystemId.Pylon);
        meanwhile?.Invoke();
        var change = await CordMessageAsync(text);
        _rig.Pylon.Faults.Add(new Fault("create", new TransientApiException(SystemId.Pylon, "connection reset"), afterEffect));
        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(change, SystemId.Pylon));
        return change;
    }

    [Fact]
    public async Task Where_the_target_drops_our_marker_a_lost_answer_is_a_possibly_written_outcome_not_a_second_copy()
    {
        var change = await SecondCopyFailsAsync(strips: true, afterEffect: true);

        _rig.Restart();
        await _rig.ApplyAsync(change, SystemId.Pylon);

        Assert.Equal(2, _rig.Pylon.Messages("iss_1").Count); // no second copy: nothing can tell whether the first was written
        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal((OutcomeKind.PossiblyWritten, SystemId.Pylon, change.CanonicalId, ChangeKind.Created), (outcome.Kind, outcome.Target, outcome.CanonicalId, outcome.Change));
        Assert.Contains("without their data-sync-id marker", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("iss_1", outcome.Reason, StringComparison.Ordinal);
        Assert.True(await _rig.Store.IsChangeAppliedAsync(change.ChangeId, SystemId.Pylon));
        var status = Assert.Single((await _rig.Store.GetStatusAsync()).Links);
        Assert.Equal(1, status.OpenOutcomes[OutcomeKind.PossiblyWritten]);
    }

    [Fact]
    public async Task A_possibly_written_copy_replayed_by_an_operator_is_written()
    {
        var change = await SecondCopyFailsAsync(strips: true, afterEffect: false);
        await _rig.ApplyAsync(change, SystemId.Pylon);
        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Single(_rig.Pylon.Messages("iss_1")); // the write had not taken effect: the operator sees none and replays

        var replay = await _rig.Store.ReplayOutcomeAsync(outcome.Id);
        await _rig.ApplyAsync(replay!, SystemId.Pylon);

        Assert.Equal(2, _rig.Pylon.Messages("iss_1").Count);
        Assert.NotNull(await _rig.Store.GetMappingAsync(change.CanonicalId, SystemId.Pylon));
        Assert.Empty(await _rig.OpenOutcomesAsync());
    }

    [Fact]
    public async Task Where_the_target_keeps_our_marker_a_write_that_did_not_take_effect_is_made_once()
    {
        // The customer's own words in Pylon, the same as the next copy's.
        var change = await SecondCopyFailsAsync(strips: false, afterEffect: false, meanwhile: () => _rig.Pylon.Add("iss_1", "Thanks!"));

        await _rig.ApplyAsync(change, SystemId.Pylon);

        var mapping = await _rig.Store.GetMappingAsync(change.CanonicalId, SystemId.Pylon);
        Assert.Equal(3, _rig.Pylon.Messages("iss_1").Count);
        Assert.Equal(change.CanonicalId, SyncMarker.Find(_rig.Pylon.Message("iss_1", mapping!.ExternalId).Html));
        Assert.Empty(await _rig.OpenOutcomesAsync());
    }

    [Fact]
    public async Task A_redaction_that_meets_a_copy_of_unknown_fate_is_reported_for_removal_by_hand()
    {
        await SecondCopyFailsAsync(strips: true, afterEffect: true, "My password is hunter2");

        _rig.Cord.PersonRedacts("th_4", _rig.Cord.Messages("th_4")[^1].Id);
        var redacted = Assert.Single(await _rig.PollAsync(SystemId.Cord));
        await _rig.ApplyAsync(redacted, SystemId.Pylon);

        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal((OutcomeKind.PossiblyWritten, ChangeKind.Redacted), (outcome.Kind, outcome.Change));
        Assert.Contains("remove it by hand", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_note_whose_answer_was_lost_where_the_target_drops_markers_is_possibly_written()
    {
        _rig.Pylon.Capabilities = FakeMessageSystem.AllCapabilities with { CanEdit = false };
        _rig.Pylon.StripsMarkers = true;
        var original = _rig.Cord.Add("th_4", "Printer on fire");
        await _rig.ApplyEverywhereAsync(await _rig.PollAsync(SystemId.Cord));
        _rig.Cord.PersonEdits("th_4", original, "<p>Printer was on fire</p>");
        var edited = Assert.Single(await _rig.PollAsync(SystemId.Cord));
        _rig.Pylon.Faults.Add(new Fault("create", new TransientApiException(SystemId.Pylon, "connection reset"), AfterEffect: true));

        await Assert.ThrowsAsync<TransientApiException>(() => _rig.ApplyAsync(edited, SystemId.Pylon));
        await _rig.ApplyAsync(edited, SystemId.Pylon);

        Assert.Equal(2, _rig.Pylon.Messages("iss_1").Count);
        var outcome = Assert.Single(await _rig.OpenOutcomesAsync());
        Assert.Equal((OutcomeKind.PossiblyWritten, ChangeKind.Edited), (outcome.Kind, outcome.Change));
    }
}
