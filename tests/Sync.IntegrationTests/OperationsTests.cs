using MessageSync.Core.State;
using MessageSync.Simulators;
using MessageSync.Worker.Commands;
using MessageSync.Worker.Hosting;

namespace MessageSync.IntegrationTests;

/// <summary>The operator's verbs against the real pipeline: replaying parked changes, and the backfill a CronJob runs.</summary>
public sealed class OperationsTests
{
    [Fact]
    public async Task A_parked_change_is_delivered_by_errors_replay_once_the_ticket_reopens()
    {
        await using var harness = await SyncHarness.StartAsync();
        harness.Simulators.Helpdesk.CloseTicket(SyncHarness.Ticket);
        await harness.StartWorkerAsync();
        harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>sent while the ticket was closed</p>");
        await harness.WaitUntilAsync(() => Scenario.OpenOutcomes(harness, OutcomeKind.Parked, Core.Model.SystemId.Helpdesk) == 1, "the change is parked");

        harness.Simulators.Helpdesk.SetTicketStatus(SyncHarness.Ticket, "open");
        var parked = (await harness.Store.ListOutcomesAsync(includeResolved: false)).Single(o => o.Kind == OutcomeKind.Parked);
        var replay = await harness.Store.ReplayOutcomeAsync(parked.Id);

        Assert.NotNull(replay);
        Assert.Equal(Core.Model.SystemId.Helpdesk, replay.Target);
        await harness.WaitUntilAsync(() => Scenario.HelpdeskCount(harness, "sent while the ticket was closed") == 1, "the replayed change reaches the helpdesk");
        await harness.SettleAsync();
        Assert.Equal(1, Scenario.HelpdeskCount(harness, "sent while the ticket was closed"));
        Assert.Equal(1, Scenario.CordCount(harness, "sent while the ticket was closed"));
        Assert.DoesNotContain(await harness.Store.ListOutcomesAsync(includeResolved: false), o => o.Kind == OutcomeKind.Parked);
        Assert.Empty(await harness.Store.ListUnappliedChangesAsync());
    }

    [Fact]
    public async Task Backfill_syncs_the_whole_history_and_exits_0_once_caught_up_and_a_second_run_writes_nothing()
    {
        await using var harness = await SyncHarness.StartAsync();
        for (var i = 0; i < 12; i++)
        {
            harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, i % 3 == 2 ? SimMessageKind.InternalNote : SimMessageKind.Customer, $"<p>history p{i}</p>");
            harness.Simulators.Helpdesk.AddMessage(SyncHarness.Ticket, i % 3 == 2 ? SimMessageKind.InternalNote : SimMessageKind.Customer, $"<p>history h{i}</p>", "customer_1");
            harness.Simulators.Cord.AddMessage(SyncHarness.Thread, "agent_cord", $"history c{i}");
        }

        await harness.StartWorkerAsync(HostMode.Backfill);
        var first = await BackfillCommand.RunAsync(harness.Services, [], TimeSpan.FromMinutes(3), CancellationToken.None);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(36, harness.Simulators.Pylon.GetMessages(SyncHarness.Issue).Count);
        Assert.Equal(36, harness.Simulators.Helpdesk.GetMessages(SyncHarness.Ticket).Count);
        Assert.Equal(36, harness.Simulators.Cord.GetMessages(SyncHarness.Thread).Count);
        Assert.Empty(await harness.Store.ListUnappliedChangesAsync());

        var second = await BackfillCommand.RunAsync(harness.Services, [], TimeSpan.FromMinutes(3), CancellationToken.None);

        Assert.Equal(0, second.ExitCode);
        Assert.Contains("0 change(s) detected", second.Summary, StringComparison.Ordinal);
        Assert.Equal(36, harness.Simulators.Pylon.GetMessages(SyncHarness.Issue).Count);
    }

    [Fact]
    public async Task Backfill_exits_non_zero_when_a_conversation_cannot_be_read()
    {
        await using var harness = await SyncHarness.StartAsync(createConversations: false);
        harness.Simulators.Pylon.CreateIssue(SyncHarness.Issue);
        harness.Simulators.Cord.CreateThread(SyncHarness.Thread);
        await harness.StartWorkerAsync(HostMode.Backfill);

        var result = await BackfillCommand.RunAsync(harness.Services, [], TimeSpan.FromMinutes(2), CancellationToken.None);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("1 read failure(s)", result.Summary, StringComparison.Ordinal);
    }
}
