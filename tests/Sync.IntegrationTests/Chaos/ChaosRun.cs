using System.Diagnostics;
using System.Globalization;
using MessageSync.Simulators;
using Xunit.Abstractions;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// Runs one random <see cref="ChaosScenario"/>: the workload with SIGKILLs at random instants alongside, a broker outage
/// and API faults where the scenario has them; then settles and verifies (<see cref="ChaosSession.FinishAsync"/>).
/// </summary>
public static class ChaosRun
{
    public static async Task<ChaosOutcome> RunAsync(ChaosScenario scenario, ChaosBroker? broker, ITestOutputHelper? output = null)
    {
        await using var session = await ChaosSession.StartAsync(scenario, broker, output);
        var sims = session.Sims;
        if (scenario.ApiFaults is { } faults)
        {
            sims.Pylon.SetFault("*", faults);
            sims.Helpdesk.SetFault("*", faults);
            sims.Cord.SetFault("*", faults);
            session.Figures.Faults = Describe(faults);
        }

        var clock = Stopwatch.StartNew();
        var writing = session.Workload.RunAsync(CancellationToken.None);
        var killing = KillAtRandomAsync(session.Worker, scenario, new Random(scenario.Seed * 7919), () => Writes(sims) - session.Workload.PersonWrites);
        var outage = scenario.BrokerOutage is { } length
            ? OutageAsync(broker ?? throw new ArgumentNullException(nameof(broker)), session.Worker.Log, scenario.OutageAfter, length, session.Figures)
            : Task.CompletedTask;
        await writing;
        session.Figures.WorkloadSeconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(killing, outage);

        sims.Pylon.ClearFaults();
        sims.Helpdesk.ClearFaults();
        sims.Cord.ClearFaults();
        session.Worker.Log.Note($"workload and chaos done; faults cleared; {session.Workload.ActionsNotMade} planned action(s) found nothing eligible");
        return await session.FinishAsync();
    }

    /// <summary>
    /// SIGKILLs at random instants: a share of them while the worker is still starting (state store, bus, first polls);
    /// the rest once the worker has written something in this life (<paramref name="workerWrites"/> grew), at a random instant
    /// up to <see cref="ChaosScenario.MaxLife"/> later, so that every such life does some work and is cut short in the
    /// middle of it, however slow the machine. The worker is started again at once, on the same state file.
    /// </summary>
    public static async Task KillAtRandomAsync(ChaosWorker worker, ChaosScenario scenario, Random random, Func<long> workerWrites)
    {
        for (var k = 0; k < scenario.Kills; k++)
        {
            string why;
            if (random.NextDouble() < scenario.StartupKillShare)
            {
                var delay = TimeSpan.FromSeconds(0.1 + (1.4 * random.NextDouble()));
                await Task.Delay(delay);
                why = $"{delay.TotalSeconds:0.0} s into its start-up";
            }
            else
            {
                var before = workerWrites();
                var patience = System.Diagnostics.Stopwatch.StartNew();
                while (workerWrites() <= before && worker.IsRunning && patience.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(100);
                }

                var waited = patience.Elapsed;
                var extra = TimeSpan.FromSeconds(scenario.MaxLife.TotalSeconds * random.NextDouble());
                await Task.Delay(extra);
                why = $"{extra.TotalSeconds:0.0} s after its first write, {waited.TotalSeconds:0.0} s after it started ({workerWrites() - before} writes so far)";
            }

            if (!worker.IsRunning)
            {
                worker.EnsureRunning(); // died on its own: recorded, and this kill is not counted
                k--;
                continue;
            }

            worker.Log.Note($"kill {k + 1} of {scenario.Kills}: {why}");
            worker.Kill();
            await Task.Delay(random.Next(0, 300));
            worker.Start();
        }
    }

    /// <summary>Write requests the three simulators have served (the worker's, and the few people make: subtract <see cref="Workload.PersonWrites"/>).</summary>
    public static long Writes(SimulatorHost sims)
    {
        string[] pylon = [PylonSimulator.Reply, PylonSimulator.Note, PylonSimulator.Redact, PylonSimulator.Delete];
        string[] cord = [CordSimulator.CreateKey, CordSimulator.Update, CordSimulator.DeleteKey];
        return pylon.Sum(k => sims.Pylon.GetStats(k).Requests) + sims.Helpdesk.GetStats(HelpdeskSimulator.Create).Requests
            + cord.Sum(k => sims.Cord.GetStats(k).Requests);
    }

    private static async Task OutageAsync(ChaosBroker broker, WorkerLog log, TimeSpan after, TimeSpan length, ChaosFigures figures)
    {
        await Task.Delay(after);
        log.Note($"broker outage: stopping RabbitMQ for {length.TotalSeconds:0} s");
        await broker.StopAsync();
        var down = Stopwatch.StartNew();
        await Task.Delay(length);
        await broker.StartAsync();
        figures.BrokerOutageSeconds = down.Elapsed.TotalSeconds;
        log.Note($"broker outage over: RabbitMQ back after {down.Elapsed.TotalSeconds:0} s");
    }

    private static string Describe(FaultSpec f) =>
        string.Create(CultureInfo.InvariantCulture,
            $"500 {f.ServerErrorRate:P0}, 429 {f.RateLimitRate:P0}, dropped {f.DropRate:P0}, malformed after the write {f.MalformedRate:P0}, +{f.Delay.TotalMilliseconds:0} ms on {f.DelayRate:P0}");
}
