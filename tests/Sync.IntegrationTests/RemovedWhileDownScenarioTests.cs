using MessageSync.Core.Model;
using MessageSync.IntegrationTests.Chaos;
using MessageSync.Simulators;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests;

/// <summary>
/// A copy written just before a crash, whose original is redacted or deleted before the worker is back: the retried create
/// meets a message already removed, and the copy it wrote must still be found and redacted or deleted (or reported), not
/// left behind with the text. Found by the crash scenarios; not among issue 9's items.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class RemovedWhileDownScenarioTests(ITestOutputHelper output)
{
    /// <summary>
    /// The worker writes a Cord copy and is killed before it records it; while it is down, the person redacts (then, second
    /// case, deletes) the original in Pylon. Cord answers 500 until the restarted worker has seen the removal and any
    /// attempt begun before has given up, so that the retried create meets the removed message, as it does whenever the
    /// poller is quicker than the retry.
    /// </summary>
    [Fact]
    public async Task A_copy_written_just_before_a_kill_is_redacted_or_deleted_when_the_original_is_while_the_worker_is_down()
    {
        await using var session = await ChaosSession.StartAsync(WriteKillScenarioTests.Scenario("kill-then-remove-the-original"), null, output);
        var (link, sims, people) = (session.Links[0], session.Sims, session.Workload);
        people.Write(link, SystemId.Pylon, SimMessageKind.Customer);
        await session.SettleAsync();

        foreach (var removal in new[] { Removal.Redacted, Removal.Deleted })
        {
            LedgerMessage? message = null;
            await session.KillDuringWriteAsync(sims.Cord, CordSimulator.CreateKey,
                () =>
                {
                    message = people.Write(link, SystemId.Pylon, SimMessageKind.Customer);
                    return Task.CompletedTask;
                },
                async () =>
                {
                    Assert.True(await people.RemoveAsync(message!, await session.CopyAsync(message!, SystemId.Pylon), removal, false, default));
                    var unavailable = new FaultSpec { ServerErrorRate = 1 };
                    sims.Cord.SetFault(CordSimulator.Get, unavailable);
                    sims.Cord.SetFault(CordSimulator.CreateKey, unavailable);
                });
            await session.WaitUntilWorkerSeesRemovalAsync(message!, TimeSpan.FromMinutes(2));

            // An attempt begun before the worker saw the removal fails within its HTTP retries (4, from 500 ms, with
            // jitter: about 10 s at most); the next one meets the removed message.
            await session.WaitUntilHandledAsync(message!, SystemId.Cord, TimeSpan.FromSeconds(20));
            sims.Cord.ClearFaults();
            await session.SettleAsync();
        }

        var outcome = await session.FinishAsync();

        Assert.Equal(2, outcome.Report.Figures.Kills);
        outcome.AssertClean();
    }
}
