using MessageSync.Simulators;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>The worker configuration of a chaos run: the three simulators, the links, fast polling, and the budgets.</summary>
public static class WorkerSettings
{
    /// <summary>
    /// Settings for a worker syncing <paramref name="links"/> through <paramref name="sims"/>, keeping its state in
    /// <paramref name="statePath"/>. <paramref name="budgetScale"/> must equal the simulators' rate-limit scale (the worker
    /// paces itself to the documented limits compressed as many times); the reconciliation interval bounds how long a
    /// deletion takes to be noticed.
    /// </summary>
    public static List<string> For(SimulatorHost sims, IReadOnlyList<ChaosLink> links, string statePath, double budgetScale, TimeSpan reconcileInterval)
    {
        var settings = new List<string>
        {
            $"Sync:State:Path={statePath}",
            "Sync:Http:Urls=http://127.0.0.1:0",
            "Sync:Logging:MinimumLevel=Information",
            "Sync:Polling:ActiveInterval=00:00:00.500",
            "Sync:Polling:IdleInterval=00:00:01",
            $"Sync:Polling:ReconcileInterval={reconcileInterval:c}",
            "Sync:Polling:RelayInterval=00:00:00.100",
        };
        settings.AddRange(Systems(sims, budgetScale));
        for (var i = 0; i < links.Count; i++)
        {
            settings.AddRange(links[i].Settings(i));
        }

        return settings;
    }

    /// <summary>
    /// The three systems at the simulators, with the simulators' credentials and the worker's budgets compressed
    /// <paramref name="budgetScale"/> times, as the simulators' rate limits are; Cord threads the worker creates go into
    /// <paramref name="cordOrganization"/>.
    /// </summary>
    public static IEnumerable<string> Systems(SimulatorHost sims, double budgetScale, string cordOrganization = "group_chaos")
    {
        var scale = budgetScale.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return
        [
            $"Sync:Pylon:BaseUrl={sims.PylonUrl}",
            $"Sync:Pylon:ApiToken={SimulatorDefaults.PylonToken}",
            $"Sync:Pylon:BudgetScale={scale}",
            $"Sync:Helpdesk:BaseUrl={sims.HelpdeskUrl}",
            $"Sync:Helpdesk:SessionToken={sims.MintHelpdeskToken("agent", TimeSpan.FromDays(1), "agent_sync")}",
            $"Sync:Helpdesk:BudgetScale={scale}",
            $"Sync:Cord:BaseUrl={sims.CordUrl}",
            $"Sync:Cord:ApplicationId={SimulatorDefaults.CordAppId}",
            $"Sync:Cord:Secret={SimulatorDefaults.CordSecret}",
            $"Sync:Cord:CreateThreadOrganizationId={cordOrganization}",
            $"Sync:Cord:BudgetScale={scale}",
        ];
    }
}
