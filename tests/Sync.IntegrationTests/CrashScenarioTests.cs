using MessageSync.IntegrationTests.Chaos;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests;

/// <summary>
/// Issue 9, item 12: the worker killed with SIGKILL at random instants while people write, edit, redact and delete across
/// three systems and several links. Afterwards: no duplicate (edit notes included), nothing missing, no leak, no redacted
/// text left in any copy that can be redacted, and nothing the worker could not do left unreported.
/// See docs/RELIABILITY.md for the figures and for the soak (<c>SYNC_CHAOS_SCALE</c>).
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class CrashScenarioTests(ChaosBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task Killed_with_SIGKILL_at_random_instants_the_worker_loses_doubles_and_leaks_nothing()
    {
        var scenario = new ChaosScenario
        {
            Name = "sigkill",
            Seed = 11,
            RabbitMq = true,
            Kills = 12,
            Workload = new WorkloadOptions { Messages = 1000, Duration = TimeSpan.FromSeconds(40) },
        }.FromEnvironment();

        var outcome = await ChaosRun.RunAsync(scenario, broker, output);

        Assert.True(outcome.Report.Figures.Kills >= scenario.Kills, $"only {outcome.Report.Figures.Kills} kills");
        Assert.True(outcome.Report.Figures.Messages >= scenario.Workload.Messages);
        outcome.AssertClean();
    }
}
