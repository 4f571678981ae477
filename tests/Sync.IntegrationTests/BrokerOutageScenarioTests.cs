using MessageSync.IntegrationTests.Chaos;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests;

/// <summary>
/// Issue 9, item 12: the crash scenario on RabbitMQ with the broker stopped for 30 seconds in the middle (a private broker,
/// stopped and started again with scripts/rabbitmq.sh on its own folder; the suite's shared broker stays up). While it is
/// down the worker keeps detecting into its outbox; afterwards nothing is lost, doubled or leaked.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class BrokerOutageScenarioTests(ChaosBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task A_30_second_broker_outage_among_SIGKILLs_loses_doubles_and_leaks_nothing()
    {
        var scenario = new ChaosScenario
        {
            Name = "broker-outage",
            Seed = 23,
            RabbitMq = true,
            Kills = 10,
            BrokerOutage = TimeSpan.FromSeconds(30),
            // Late enough for some messages to have synced everywhere: people edit those while the broker is away (an edit
            // waits for a message's copies; with the broker gone from the start, no run had edits).
            OutageAfter = TimeSpan.FromSeconds(20),
            // The outage holds every change back for a while: people get longer to edit, redact and delete what has synced.
            Workload = new WorkloadOptions { Messages = 1000, Duration = TimeSpan.FromSeconds(40), ActionTail = TimeSpan.FromSeconds(90) },
        }.FromEnvironment();

        var outcome = await ChaosRun.RunAsync(scenario, broker, output);

        Assert.True(outcome.Report.Figures.BrokerOutageSeconds >= 30, $"the broker was down {outcome.Report.Figures.BrokerOutageSeconds:0} s");
        Assert.True(outcome.Report.Figures.Kills >= scenario.Kills, $"only {outcome.Report.Figures.Kills} kills");
        outcome.AssertClean();
    }
}
