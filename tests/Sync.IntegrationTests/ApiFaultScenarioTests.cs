using MessageSync.IntegrationTests.Chaos;
using MessageSync.Simulators;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests;

/// <summary>
/// Issue 9, item 12: the crash scenario with faults on every endpoint of the three APIs: 500s, 429s, delays, dropped
/// connections, and malformed JSON returned after the write took effect (the worker cannot know it succeeded), on the
/// in-memory bus (the embedded default). Afterwards nothing is lost, doubled or leaked.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class ApiFaultScenarioTests(ChaosBroker broker, ITestOutputHelper output)
{
    [Fact]
    public async Task API_faults_among_SIGKILLs_lose_double_and_leak_nothing()
    {
        var scenario = new ChaosScenario
        {
            Name = "api-faults",
            Seed = 37,
            Kills = 10,
            ApiFaults = new FaultSpec
            {
                ServerErrorRate = 0.04,
                RateLimitRate = 0.03,
                DropRate = 0.03,
                MalformedRate = 0.05,
                Delay = TimeSpan.FromMilliseconds(300),
                DelayRate = 0.05,
                RetryAfterSeconds = 1,
            },
            Workload = new WorkloadOptions { Messages = 1000, Duration = TimeSpan.FromSeconds(40) },
        }.FromEnvironment();

        var outcome = await ChaosRun.RunAsync(scenario, broker, output);

        Assert.True(outcome.Report.Figures.Kills >= scenario.Kills, $"only {outcome.Report.Figures.Kills} kills");
        outcome.AssertClean();
    }
}
