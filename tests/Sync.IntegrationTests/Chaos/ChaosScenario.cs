using System.Globalization;
using MessageSync.Simulators;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// One chaos scenario: the workload, how often the worker is killed, whether the broker goes away, which API faults are
/// injected, and the pacing. <see cref="FromEnvironment"/> applies the soak and seed variables.
/// </summary>
public sealed record ChaosScenario
{
    /// <summary>Multiplies messages, kills and durations (a soak): <c>SYNC_CHAOS_SCALE=10</c> writes 10,000 messages and kills 100 times.</summary>
    public const string ScaleVariable = "SYNC_CHAOS_SCALE";

    /// <summary>Replaces every scenario's seed, to replay a run (each report names its seed).</summary>
    public const string SeedVariable = "SYNC_CHAOS_SEED";

    public required string Name { get; init; }

    public int Seed { get; init; } = 1;

    public int Links { get; init; } = 8;

    public WorkloadOptions Workload { get; init; } = new();

    /// <summary>SIGKILLs of the worker, at random instants spread over the workload.</summary>
    public int Kills { get; init; }

    /// <summary>Share of the kills made at a random instant of the worker's start-up (before or around its first polls).</summary>
    public double StartupKillShare { get; init; } = 0.25;

    /// <summary>The other kills come at a random instant up to this long after the worker's first write in its life.</summary>
    public TimeSpan MaxLife { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>A RabbitMQ transport on the private <see cref="ChaosBroker"/>; otherwise the in-memory default.</summary>
    public bool RabbitMq { get; init; }

    /// <summary>A broker outage of this length (RabbitMQ only), beginning <see cref="OutageAfter"/> into the workload.</summary>
    public TimeSpan? BrokerOutage { get; init; }

    public TimeSpan OutageAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pylon and the helpdesk store HTML without unknown attributes and empty elements (our marker among them).</summary>
    public bool StripUnknownHtml { get; init; }

    /// <summary>Faults injected on every endpoint of the three APIs while the workload runs; cleared before settling.</summary>
    public FaultSpec? ApiFaults { get; init; }

    /// <summary>
    /// The documented rate limits compressed this many times, in the simulators and in the worker's budgets alike: the
    /// worker still paces itself to every limit, at a speed the suite can afford.
    /// </summary>
    public double RateLimitScale { get; init; } = 240;

    /// <summary>The worker's full reconciliation interval: a deletion in Pylon or a Cord hard delete is seen by it.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the systems and the worker's outbox must stay unchanged to call the run settled (two reconciliations and some).</summary>
    public TimeSpan QuietPeriod => ReconcileInterval * 2 + TimeSpan.FromSeconds(2);

    /// <summary>Settling fails when neither the systems nor the worker's backlog moved for this long (the worker is stuck).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Settling fails after this long however much progress is made (a worker writing for ever is stuck too).</summary>
    public TimeSpan SettleLimit { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The scenario with <see cref="ScaleVariable"/> and <see cref="SeedVariable"/> applied.</summary>
    public ChaosScenario FromEnvironment()
    {
        var scenario = this;
        if (double.TryParse(Environment.GetEnvironmentVariable(ScaleVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale > 0 && scale != 1)
        {
            scenario = scenario with
            {
                Name = $"{Name}-x{scale.ToString(CultureInfo.InvariantCulture)}",
                Kills = (int)Math.Ceiling(Kills * scale),
                Workload = Workload with
                {
                    Messages = (int)Math.Ceiling(Workload.Messages * scale),
                    Duration = Workload.Duration * scale,
                    ActionTail = Workload.ActionTail * Math.Max(1, scale / 2),
                },
                SettleLimit = SettleLimit * Math.Max(1, scale / 2),
            };
        }

        if (int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
        {
            scenario = scenario with { Seed = seed };
        }

        return scenario;
    }
}
