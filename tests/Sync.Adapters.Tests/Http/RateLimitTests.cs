using MessageSync.Adapters.Http;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Simulators;

namespace MessageSync.Adapters.Tests;

public class RateLimitTests
{
    /// <summary>
    /// Pylon's documented limits compressed 20x on both sides (simulator scaled:20, adapter BudgetScale 20): 200 messages
    /// read 20 a page (10 list calls against 20/window) and 30 replies (against 10/window) must never see a 429.
    /// </summary>
    [Fact]
    public async Task Reading_200_and_replying_30_times_under_the_documented_limits_sees_no_429()
    {
        const double scale = 20;
        await using var h = await Harness.StartAsync(
            new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = scale },
            new Dictionary<string, string?>
            {
                ["Sync:Pylon:BudgetScale"] = scale.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Sync:Pylon:PageSize"] = "20",
                ["Sync:Pylon:ContactIdsByEmail:ana@example.com"] = "contact_9",
            });
        h.Host.Pylon.CreateIssue("iss_1", "contact_9", "ana@example.com", "Ana Ruiz");
        for (var i = 0; i < 200; i++)
        {
            h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, $"<p>m{i}</p>");
        }

        var pylon = h.System(SystemId.Pylon);
        var link = Canon.Link();
        var readTask = pylon.ReadAllAsync(link).ToListAsync().AsTask();
        var parent = h.Host.Pylon.GetMessages("iss_1")[0].Id;
        // Replies run concurrently with the reads and with each other, as consumers would: the shared buckets pace them.
        var writes = Enumerable.Range(0, 30)
            .Select(i => pylon.CreateAsync(Canon.Write(link, Canon.Message(MessageKind.CustomerMessage, $"<p>reply {i}</p>"), parent: parent), default))
            .ToList();
        var read = await readTask;
        var ids = await Task.WhenAll(writes);

        // Replies land while the reads page through, so the read sees the 200 and whatever was appended meanwhile.
        Assert.Equal(200, read.Count(m => m.BodyText.Trim().StartsWith('m')));
        Assert.Equal(30, ids.Select(w => w.ExternalId).Distinct().Count());
        Assert.Equal(0, h.Host.Pylon.GetStats(PylonSimulator.ListMessages).RateLimited);
        Assert.Equal(0, h.Host.Pylon.GetStats(PylonSimulator.Reply).RateLimited);
        Assert.InRange(h.Host.Pylon.GetStats(PylonSimulator.ListMessages).Requests, 10, 12);
        Assert.Equal(30, h.Host.Pylon.GetStats(PylonSimulator.Reply).Requests);
        var counters = h.Get<SyncMetrics>().Http(SystemId.Pylon);
        Assert.Equal(0, counters.RateLimited);
        Assert.True(counters.RateLimitWaits > 0, "the budget, not the server, did the waiting");
    }
}
