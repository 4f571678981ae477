using MessageSync.Core.Model;
using MessageSync.IntegrationTests.Chaos;
using MessageSync.Simulators;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests;

/// <summary>
/// Issue 9, items 1 and 12: an "Edited in Cord" note is a copy like any other; a kill between writing it and recording it
/// must not make the restarted worker write it again. The kill is placed exactly there by holding the note's answer.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class EditNoteKillScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_kill_between_an_edit_note_and_its_record_does_not_write_the_note_twice()
    {
        await using var session = await ChaosSession.StartAsync(WriteKillScenarioTests.Scenario("kill-between-edit-note-and-record"), null, output);
        var (link, sims, people) = (session.Links[0], session.Sims, session.Workload);
        people.Write(link, SystemId.Pylon, SimMessageKind.Customer);
        var edited = people.Write(link, SystemId.Cord, SimMessageKind.InternalNote);
        await session.SettleAsync();

        await session.KillDuringWriteAsync(sims.Pylon, PylonSimulator.Note,
            async () => Assert.True(await people.EditAsync(edited, await session.CopyAsync(edited, SystemId.Cord), default)));
        await session.SettleAsync();
        await session.KillDuringWriteAsync(sims.Helpdesk, HelpdeskSimulator.Create,
            async () => Assert.True(await people.EditAsync(edited, await session.CopyAsync(edited, SystemId.Cord), default)));

        var outcome = await session.FinishAsync();

        Assert.Equal(2, outcome.Report.Figures.Kills);
        outcome.AssertClean();
    }
}
