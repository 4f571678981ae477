using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Simulators;

namespace MessageSync.IntegrationTests;

/// <summary>
/// One link across Pylon, the helpdesk and Cord, the whole pipeline on the in-memory bus against the simulators
/// (issue 5's acceptance list). <see cref="RabbitMqScenarioTests"/> runs the main scenario on a real broker.
/// </summary>
public sealed class SyncScenarioTests
{
    [Fact]
    public async Task Messages_of_every_kind_reach_every_other_system_exactly_once_with_the_right_kind()
    {
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync();

        await Scenario.RunEveryKindAsync(harness);
    }

    [Fact]
    public async Task A_redaction_in_Pylon_replaces_the_Cord_copy_and_is_reported_for_the_helpdesk()
    {
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync();
        var original = harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>my card is 4111-secret</p>");
        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "4111-secret") == 1 && Scenario.HelpdeskCount(harness, "4111-secret") == 1, "the message is mirrored");

        await harness.PylonRedactAsync(original.Id);

        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "4111-secret") == 0, "the Cord copy loses the content");
        await harness.WaitUntilAsync(() => Scenario.OpenOutcomes(harness, OutcomeKind.UnpropagatedRedaction, SystemId.Helpdesk) == 1, "an unpropagated redaction is recorded for the helpdesk");
        Assert.Single(harness.Simulators.Cord.GetMessages(SyncHarness.Thread), m => m.DeletedTimestamp is null);
        Assert.Empty(harness.Simulators.Pylon.GetMessages(SyncHarness.Issue).Single(m => m.Id == original.Id).MessageHtml);
    }

    [Fact]
    public async Task A_deletion_follows_each_targets_policy()
    {
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync("Sync:Targets:Cord:Deletion=Delete", "Sync:Targets:Helpdesk:Deletion=Delete");
        var original = harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>please delete me</p>");
        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "please delete me") == 1 && Scenario.HelpdeskCount(harness, "please delete me") == 1, "the message is mirrored");

        await harness.PylonDeleteAsync(original.Id);

        await harness.WaitUntilAsync(
            () => harness.Simulators.Cord.GetMessages(SyncHarness.Thread).Any(m => m.Plaintext.Contains("please delete me", StringComparison.Ordinal) && m.DeletedTimestamp is not null),
            "the Cord copy is soft-deleted (Delete, PreferSoftDelete)");
        await harness.WaitUntilAsync(() => Scenario.OpenOutcomes(harness, OutcomeKind.Skipped, SystemId.Helpdesk) == 1, "the helpdesk, which cannot delete, records an outcome");
        Assert.Equal(1, Scenario.HelpdeskCount(harness, "please delete me"));
    }

    [Fact]
    public async Task A_deletion_is_not_propagated_where_the_policy_is_Ignore()
    {
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync("Sync:Targets:Cord:Deletion=Ignore");
        var original = harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>keep my copy</p>");
        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "keep my copy") == 1, "the message is mirrored");

        await harness.PylonDeleteAsync(original.Id);
        await harness.WaitUntilAsync(() => Scenario.OpenOutcomes(harness, OutcomeKind.Skipped, SystemId.Helpdesk) == 1, "the deletion is detected and reaches the helpdesk's outcome");
        await harness.SettleAsync();

        Assert.Equal(1, Scenario.CordCount(harness, "keep my copy"));
    }

    [Fact]
    public async Task A_Cord_edit_follows_each_targets_edit_policy()
    {
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync("Sync:Targets:Pylon:Edits=AppendNote", "Sync:Targets:Helpdesk:Edits=Ignore");
        var original = harness.Simulators.Cord.AddMessage(SyncHarness.Thread, "agent_cord", "first wording");
        await harness.WaitUntilAsync(() => Scenario.PylonCount(harness, "first wording") == 1 && Scenario.HelpdeskCount(harness, "first wording") == 1, "the message is mirrored");

        await harness.CordEditAsync(original.Id, "second wording");

        await harness.WaitUntilAsync(() => Scenario.PylonCount(harness, "second wording") == 1, "Pylon (AppendNote) gets a note with the new version");
        var note = harness.Simulators.Pylon.GetMessages(SyncHarness.Issue).Single(m => m.MessageHtml.Contains("second wording", StringComparison.Ordinal));
        Assert.True(note.IsPrivate);
        await harness.SettleAsync();
        Assert.Equal(0, Scenario.HelpdeskCount(harness, "second wording"));
        Assert.Equal(1, Scenario.PylonCount(harness, "second wording"));
    }

    [Fact]
    public async Task An_agent_reply_reaches_Pylon_as_a_reply_only_when_the_link_opts_in()
    {
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync("Sync:Links:0:DeliverRepliesVia=Pylon");
        harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>the issue opens with the customer's message</p>");
        harness.Simulators.Helpdesk.AddMessage(SyncHarness.Ticket, SimMessageKind.Customer, "<p>question via e-mail</p>", "customer_1");
        await harness.WaitUntilAsync(() => Scenario.PylonCount(harness, "question via e-mail") == 1, "the customer's message reaches Pylon");
        harness.Simulators.Helpdesk.AddMessage(SyncHarness.Ticket, SimMessageKind.Agent, "<p>answer from the helpdesk</p>", "agent_1", sendEmail: false);

        await harness.WaitUntilAsync(() => Scenario.PylonCount(harness, "answer from the helpdesk") == 1, "the agent reply reaches Pylon");

        var reply = harness.Simulators.Pylon.GetMessages(SyncHarness.Issue).Single(m => m.MessageHtml.Contains("answer from the helpdesk", StringComparison.Ordinal));
        Assert.False(reply.IsPrivate);
        Assert.True(reply.ReachedCustomer);
        Assert.Empty(harness.Simulators.Helpdesk.EmailsSent);
    }

    [Fact]
    public async Task A_closed_ticket_parks_the_change_and_the_other_targets_still_get_it()
    {
        await using var harness = await SyncHarness.StartAsync();
        harness.Simulators.Helpdesk.CloseTicket(SyncHarness.Ticket);
        await harness.StartWorkerAsync();

        harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>after the ticket closed</p>");

        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "after the ticket closed") == 1, "Cord gets the message");
        await harness.WaitUntilAsync(() => Scenario.OpenOutcomes(harness, OutcomeKind.Parked, SystemId.Helpdesk) == 1, "the helpdesk change is parked");
        Assert.Equal(0, Scenario.HelpdeskCount(harness, "after the ticket closed"));
    }

    [Fact]
    public async Task Internal_notes_never_reach_a_customer_visible_Cord_thread()
    {
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync("Sync:Links:0:CordThreadCustomerVisible=true", "Sync:Links:0:CordAgentUserIds:0=agent_cord");
        harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.InternalNote, "<p>internal only: refund approved</p>");
        harness.Simulators.Helpdesk.AddMessage(SyncHarness.Ticket, SimMessageKind.InternalNote, "<p>internal only: escalate</p>", "agent_1");
        harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>visible to all</p>");

        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "visible to all") == 1, "the customer message reaches Cord");
        await harness.WaitUntilAsync(() => Scenario.OpenOutcomes(harness, OutcomeKind.Skipped, SystemId.Cord) == 2, "both notes are withheld from Cord, with a recorded outcome");
        await harness.SettleAsync();

        Assert.Equal(0, Scenario.CordCount(harness, "internal only"));
        Assert.Equal(1, Scenario.HelpdeskCount(harness, "refund approved"));
        Assert.Equal(1, Scenario.PylonCount(harness, "escalate"));
    }
}
