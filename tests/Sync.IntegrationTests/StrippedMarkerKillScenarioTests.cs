using System.Diagnostics;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.IntegrationTests.Chaos;
using MessageSync.Simulators;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests;

/// <summary>
/// Issue 9.6 with the real worker: Pylon and the helpdesk store HTML without our <c>data-sync-id</c> marker (the simulators'
/// <c>StripUnknownHtml</c>, as a product's editor may). A SIGKILL exactly between a Pylon note and its record: the restarted
/// worker cannot tell whether the note took effect, so it neither writes it again nor drops it silently: it records a
/// possibly_written outcome for an operator, shown by status and <c>errors list</c>.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class StrippedMarkerKillScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Where_the_systems_drop_our_marker_a_kill_between_write_and_record_is_reported_as_possibly_written_not_written_twice()
    {
        var scenario = WriteKillScenarioTests.Scenario("stripped-marker-kill") with { StripUnknownHtml = true };
        await using var session = await ChaosSession.StartAsync(scenario, null, output);
        var (link, sims, people) = (session.Links[0], session.Sims, session.Workload);
        people.Write(link, SystemId.Helpdesk, SimMessageKind.InternalNote); // a first copy of ours in Pylon, stored without its marker
        await session.SettleAsync();

        LedgerMessage? lost = null;
        await session.KillDuringWriteAsync(sims.Pylon, PylonSimulator.Note, () =>
        {
            lost = people.Write(link, SystemId.Helpdesk, SimMessageKind.InternalNote);
            return Task.CompletedTask;
        });

        using var store = session.Worker.OpenStore();
        var clock = Stopwatch.StartNew();
        OutcomeRecord? outcome = null;
        while (outcome is null && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            outcome = (await store.ListOutcomesAsync(includeResolved: false)).FirstOrDefault(o => o.Kind == OutcomeKind.PossiblyWritten);
            await Task.Delay(200);
        }

        Assert.True(outcome is not null, $"no possibly_written outcome within 2 minutes\n{session.Worker.Log.Tail(40)}");
        Assert.Equal((SystemId.Pylon, ChangeKind.Created), (outcome!.Target, outcome.Change));
        Assert.Contains("without their data-sync-id marker", outcome.Reason, StringComparison.Ordinal);
        var state = await session.ReadStateAsync();
        Assert.Single(state.CopiesOf(lost!.Id), c => c.System == SystemId.Pylon && !c.EditNote);
        var status = Assert.Single((await store.GetStatusAsync()).Links, l => l.LinkId == link.Id);
        Assert.Equal(1, status.OpenOutcomes[OutcomeKind.PossiblyWritten]);
    }
}
