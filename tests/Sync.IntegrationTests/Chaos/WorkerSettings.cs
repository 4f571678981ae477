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
        var scale = budgetScale.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var settings = new List<string>
        {
            $"Sync:State:Path={statePath}",
            "Sync:Http:Urls=http://127.0.0.1:0",
            "Sync:Logging:MinimumLevel=Information",
            "Sync:Polling:ActiveInterval=00:00:00.200",
            "Sync:Polling:IdleInterval=00:00:00.500",
            $"Sync:Polling:ReconcileInterval={reconcileInterval:c}",
            "Sync:Polling:RelayInterval=00:00:00.100",
            $"Sync:Pylon:BaseUrl={sims.PylonUrl}",
            $"Sync:Pylon:ApiToken={SimulatorDefaults.PylonToken}",
            $"Sync:Pylon:BudgetScale={scale}",
            $"Sync:Helpdesk:BaseUrl={sims.HelpdeskUrl}",
            $"Sync:Helpdesk:SessionToken={sims.MintHelpdeskToken("agent", TimeSpan.FromDays(1), "agent_sync")}",
            $"Sync:Helpdesk:BudgetScale={scale}",
            $"Sync:Cord:BaseUrl={sims.CordUrl}",
            $"Sync:Cord:ApplicationId={SimulatorDefaults.CordAppId}",
            $"Sync:Cord:Secret={SimulatorDefaults.CordSecret}",
            "Sync:Cord:CreateThreadOrganizationId=group_chaos",
            $"Sync:Cord:BudgetScale={scale}",
        };
        for (var i = 0; i < links.Count; i++)
        {
            settings.AddRange(links[i].Settings(i));
        }

        return settings;
    }

    /// <summary>The settings that put the worker on a RabbitMQ broker given as an amqp:// URL.</summary>
    public static IEnumerable<string> RabbitMq(Uri amqp)
    {
        var credentials = amqp.UserInfo.Split(':', 2);
        yield return "Sync:Transport=RabbitMQ";
        yield return $"Sync:RabbitMq:Host={amqp.Host}";
        yield return $"Sync:RabbitMq:Port={amqp.Port}";
        yield return $"Sync:RabbitMq:Username={Uri.UnescapeDataString(credentials[0])}";
        yield return $"Sync:RabbitMq:Password={Uri.UnescapeDataString(credentials.ElementAtOrDefault(1) ?? "")}";
    }
}
