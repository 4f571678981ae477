using MessageSync.Adapters;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Simulators;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MessageSync.Bench;

/// <summary>
/// Issue 4's budget case, timed: read 200 Pylon messages (20 a page) and write 30 replies at the documented limits
/// compressed 20 times, then compare with the least time the budget allows.
/// </summary>
internal static class BudgetBench
{
    private const int Speed = 20;

    public static async Task RunAsync(Action<Figure> report)
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = Speed });
        sims.Pylon.CreateIssue("iss_budget", "contact_b", "b@example.com", "Budget Customer");
        for (var i = 0; i < 200; i++)
        {
            sims.Pylon.AddMessage("iss_budget", SimMessageKind.Customer, $"<p>message {i}</p>");
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sync:Pylon:BaseUrl"] = sims.PylonUrl.ToString(),
            ["Sync:Pylon:ApiToken"] = SimulatorDefaults.PylonToken,
            ["Sync:Pylon:PageSize"] = "20",
            ["Sync:Pylon:BudgetScale"] = Speed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)).AddSingleton(TimeProvider.System).AddSyncAdapters(configuration);
        await using var provider = services.BuildServiceProvider();
        var pylon = provider.GetServices<IMessageSystem>().Single(s => s.System == SystemId.Pylon);
        var link = new ConversationLink { Id = "budget", PylonIssueId = "iss_budget", CordThreadId = "th", DeliverRepliesVia = ReplyDelivery.Pylon };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var read = 0;
        // As the worker does it: the poller reads the issue, then the consumer writes the replies.
        await foreach (var (_, page) in pylon.ReadPagesAsync(link))
        {
            read += page.Messages.Count;
        }

        var writing = Enumerable.Range(0, 30).Select(i => pylon.CreateAsync(new WriteRequest
        {
            Link = link,
            TargetKind = MessageKind.AgentReply,
            Message = new CanonicalMessage
            {
                Id = Guid.CreateVersion7(),
                LinkId = link.Id,
                Origin = new MessageOrigin(SystemId.Helpdesk, $"h{i}"),
                Author = new Author("Dana Agent", "dana@example.com"),
                Kind = MessageKind.AgentReply,
                BodyHtml = $"<p>reply {i}</p>",
                BodyText = $"reply {i}",
                CreatedAt = DateTimeOffset.UtcNow,
            },
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(writing);
        var elapsed = clock.Elapsed;

        // With a burst of one, the first request of each class goes at once and each later one waits 60 s / limit / speed.
        var listCalls = sims.Pylon.GetStats(PylonSimulator.ListMessages).Requests;
        var replyCalls = sims.Pylon.GetStats(PylonSimulator.Reply).Requests;
        var minimum = ((listCalls - 1) * 60.0 / 20 / Speed) + ((replyCalls - 1) * 60.0 / 10 / Speed);
        report(new("Pylon budget: 200 read + 30 replies, elapsed", elapsed.TotalSeconds, "s", $"{read} read in {listCalls} pages, {replyCalls} replies; budget minimum {minimum:0.00} s (x{Speed})"));
        report(new("Pylon budget: use of the budget", 100 * minimum / elapsed.TotalSeconds, "%", "100% = no slower than the budget requires"));
        report(new("Pylon budget: 429s", sims.Pylon.EndpointKeys.Sum(k => sims.Pylon.GetStats(k).RateLimited), "count", "must be 0"));
    }
}
