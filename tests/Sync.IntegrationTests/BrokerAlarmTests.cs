using MessageSync.IntegrationTests.Chaos;
using MessageSync.Simulators;

namespace MessageSync.IntegrationTests;

/// <summary>
/// A broker that stops confirming publishes (a memory alarm blocks publishing connections) must not hold the outbox relay
/// silently: the relay gives up on the send after <c>OutboxRelay.SendTimeout</c>, says so in /readyz, keeps the change in
/// the outbox, and delivers it exactly once when the alarm clears. Uses the chaos scenarios' private broker, whose alarm
/// the suite's shared broker must not see.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class BrokerAlarmTests(ChaosBroker broker)
{
    [Fact]
    public async Task A_broker_that_stops_confirming_publishes_is_reported_and_nothing_is_lost_or_doubled_when_it_recovers()
    {
        await broker.DeleteSyncQueuesAsync();
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync(RabbitMqBroker.Settings(await broker.UrlAsync()));
        using var http = new HttpClient { BaseAddress = harness.WorkerUrl };
        harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>before the alarm</p>");
        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "before the alarm") == 1, "a first message reaches Cord over the broker");

        await broker.MemoryAlarmAsync(raised: true);
        try
        {
            harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>during the alarm</p>");
            await harness.WaitUntilAsync(
                () => Scenario.NotReady(http).Contains("did not confirm", StringComparison.Ordinal),
                "/readyz says the broker does not confirm sends", TimeSpan.FromMinutes(2));
            Assert.Equal(0, Scenario.CordCount(harness, "during the alarm"));
        }
        finally
        {
            await broker.MemoryAlarmAsync(raised: false);
        }

        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "during the alarm") == 1, "the change waited in the outbox reaches Cord", TimeSpan.FromMinutes(2));
        await harness.WaitUntilAsync(() => Scenario.HelpdeskCount(harness, "during the alarm") == 1, "and the helpdesk", TimeSpan.FromMinutes(2));
        await harness.SettleAsync();
        Assert.Equal(1, Scenario.CordCount(harness, "during the alarm"));
        Assert.Equal(1, Scenario.HelpdeskCount(harness, "during the alarm"));
        await harness.WaitUntilAsync(() => Scenario.NotReady(http) == "", "/readyz is ready again", TimeSpan.FromMinutes(1));
    }
}
