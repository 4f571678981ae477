using MessageSync.Simulators;
using MessageSync.Worker.Hosting;
using Microsoft.AspNetCore.Builder;

namespace MessageSync.Bench;

/// <summary>
/// The whole pipeline: one link, N messages of mixed kinds written in each system, the real worker host syncing them.
/// Limits are the documented ones compressed <see cref="Speed"/> times in the simulators and the worker alike, so the
/// figure that matters is budget use: the time Pylon's write budget alone requires, divided by the time taken.
/// </summary>
internal static class PipelineBench
{
    private const int Speed = 30;

    public static async Task RunAsync(int perSystem, string transport, Action<Figure> report)
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = Speed });
        sims.Pylon.CreateIssue("iss_b", "contact_b", "b@example.com", "Bench Customer");
        sims.Helpdesk.CreateTicket("tkt_b");
        sims.Cord.CreateThread("th_b", "Bench", "https://app.example.com/b", "group_b");
        SimMessageKind[] kinds = [SimMessageKind.Customer, SimMessageKind.Agent, SimMessageKind.InternalNote];
        for (var i = 0; i < perSystem; i++)
        {
            sims.Pylon.AddMessage("iss_b", kinds[i % 3], $"<p>pylon {i}</p>");
            sims.Helpdesk.AddMessage("tkt_b", kinds[i % 3], $"<p>helpdesk {i}</p>", "author_b");
            sims.Cord.AddMessage("th_b", "cord_user", $"cord {i}");
        }

        var folder = Path.Combine(Path.GetTempPath(), "ms-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var args = new List<string>
        {
            $"--Sync:State:Path={Path.Combine(folder, "sync.db")}", "--Sync:Http:Urls=http://127.0.0.1:0", "--Sync:Logging:MinimumLevel=Warning",
            "--Sync:Polling:ActiveInterval=00:00:00.200", "--Sync:Polling:IdleInterval=00:00:01", "--Sync:Polling:RelayInterval=00:00:00.100",
            $"--Sync:Pylon:BaseUrl={sims.PylonUrl}", $"--Sync:Pylon:ApiToken={SimulatorDefaults.PylonToken}", $"--Sync:Pylon:BudgetScale={Speed}",
            $"--Sync:Helpdesk:BaseUrl={sims.HelpdeskUrl}", $"--Sync:Helpdesk:SessionToken={sims.MintHelpdeskToken("agent", TimeSpan.FromHours(1))}", $"--Sync:Helpdesk:BudgetScale={Speed}",
            $"--Sync:Cord:BaseUrl={sims.CordUrl}", $"--Sync:Cord:ApplicationId={SimulatorDefaults.CordAppId}", $"--Sync:Cord:Secret={SimulatorDefaults.CordSecret}", $"--Sync:Cord:BudgetScale={Speed}",
            // The helpdesk customer is the Pylon issue's contact, so their messages are Pylon replies as in production.
            "--Sync:People:0:HelpdeskAuthorId=author_b", "--Sync:People:0:PylonContactId=contact_b",
            "--Sync:Links:0:Id=bench", "--Sync:Links:0:PylonIssueId=iss_b", "--Sync:Links:0:HelpdeskTicketId=tkt_b", "--Sync:Links:0:CordThreadId=th_b",
        };
        var label = transport == "InMemory" ? "in-memory" : "RabbitMQ";
        if (transport != "InMemory")
        {
            var uri = new Uri(transport);
            args.AddRange(["--Sync:Transport=RabbitMQ", $"--Sync:RabbitMq:Host={uri.Host}", $"--Sync:RabbitMq:Port={uri.Port}"]);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var app = SyncHost.CreateBuilder([.. args], HostMode.Run).Build();
        await app.StartAsync();
        var total = perSystem * 3;
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline &&
               (sims.Pylon.GetMessages("iss_b").Count < total || sims.Helpdesk.GetMessages("tkt_b").Count < total || sims.Cord.GetMessages("th_b").Count < total))
        {
            await Task.Delay(50);
        }

        var elapsed = clock.Elapsed;
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);

        var synced = sims.Pylon.GetMessages("iss_b").Count + sims.Helpdesk.GetMessages("tkt_b").Count + sims.Cord.GetMessages("th_b").Count - total;
        var replies = sims.Pylon.GetStats(PylonSimulator.Reply).Requests;
        var notes = sims.Pylon.GetStats(PylonSimulator.Note).Requests;
        var perSecond = 10.0 * Speed / 60;
        var minimum = Math.Max(Math.Max(replies - 1, 0), Math.Max(notes - 1, 0)) / perSecond;
        var limited = sims.Pylon.EndpointKeys.Sum(k => sims.Pylon.GetStats(k).RateLimited);
        report(new($"pipeline ({label}): messages mirrored", synced, "msgs", $"{perSystem} written in each system, {elapsed.TotalSeconds:0.0} s to converge (host start included)"));
        report(new($"pipeline ({label}): Pylon write-budget use", 100 * minimum / elapsed.TotalSeconds, "%", $"{replies} replies + {notes} notes need >= {minimum:0.0} s at 10/min x{Speed}"));
        report(new($"pipeline ({label}): Pylon 429s", limited, "count", "must be 0"));
    }
}
