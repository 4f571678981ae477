using MessageSync.Core.Model;
using MessageSync.IntegrationTests.Chaos;
using MessageSync.Simulators;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests;

/// <summary>
/// Issue 9, item 12: a kill placed exactly between a remote write and the worker's record of it, made deterministic from
/// outside the worker: the simulator lets the write take effect and holds its answer; the test SIGKILLs the worker then,
/// and starts it again on the same state file. The restarted worker must find what it wrote instead of writing it again,
/// and must not lose it either.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class WriteKillScenarioTests(ITestOutputHelper output)
{
    internal static ChaosScenario Scenario(string name) => new()
    {
        Name = name,
        Seed = 5,
        Links = 1,
        ReconcileInterval = TimeSpan.FromSeconds(1),
        Workload = new WorkloadOptions { AttachmentShare = 0 },
    };

    [Fact]
    public async Task A_kill_between_a_create_redaction_or_deletion_and_its_record_neither_loses_nor_doubles_it()
    {
        await using var session = await ChaosSession.StartAsync(Scenario("kill-between-write-and-record"), null, output);
        var (link, sims, people) = (session.Links[0], session.Sims, session.Workload);
        people.Write(link, SystemId.Pylon, SimMessageKind.Customer); // a Pylon reply needs a message to answer
        await session.SettleAsync();

        await session.KillDuringWriteAsync(sims.Pylon, PylonSimulator.Note, () => Write(people, link, SystemId.Helpdesk, SimMessageKind.InternalNote));
        await session.KillDuringWriteAsync(sims.Pylon, PylonSimulator.Reply, () => Write(people, link, SystemId.Helpdesk, SimMessageKind.Customer));
        await session.KillDuringWriteAsync(sims.Helpdesk, HelpdeskSimulator.Create, () => Write(people, link, SystemId.Pylon, SimMessageKind.InternalNote));
        await session.KillDuringWriteAsync(sims.Cord, CordSimulator.CreateKey, () => Write(people, link, SystemId.Pylon, SimMessageKind.Customer));

        var redactedInCord = people.Write(link, SystemId.Cord, SimMessageKind.InternalNote);
        var redactedInPylon = people.Write(link, SystemId.Pylon, SimMessageKind.Agent);
        var deletedInCord = people.Write(link, SystemId.Cord, SimMessageKind.InternalNote);
        await session.SettleAsync();
        await session.KillDuringWriteAsync(sims.Pylon, PylonSimulator.Redact,
            async () => Assert.True(await people.RemoveAsync(redactedInCord, await session.CopyAsync(redactedInCord, SystemId.Cord), Removal.Redacted, false, default)));
        await session.KillDuringWriteAsync(sims.Cord, CordSimulator.Update,
            async () => Assert.True(await people.RemoveAsync(redactedInPylon, await session.CopyAsync(redactedInPylon, SystemId.Pylon), Removal.Redacted, false, default)));
        await session.KillDuringWriteAsync(sims.Pylon, PylonSimulator.Delete,
            async () => Assert.True(await people.RemoveAsync(deletedInCord, await session.CopyAsync(deletedInCord, SystemId.Cord), Removal.Deleted, hardDelete: true, default)));

        var outcome = await session.FinishAsync();

        Assert.Equal(7, outcome.Report.Figures.Kills);
        outcome.AssertClean();
    }

    private static Task Write(Workload people, ChaosLink link, SystemId origin, SimMessageKind kind)
    {
        people.Write(link, origin, kind);
        return Task.CompletedTask;
    }
}
