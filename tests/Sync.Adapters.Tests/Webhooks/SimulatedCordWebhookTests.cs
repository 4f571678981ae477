using System.Text;
using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Webhooks;
using MessageSync.Core.Model;
using MessageSync.Simulators;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Tests;

public class SimulatedCordWebhookTests
{
    [Fact]
    public async Task A_delivery_as_cord_sends_it_is_accepted_once_and_its_replay_refused()
    {
        var verifier = new CordWebhookVerifier(Options.Create(new CordOptions { ApplicationId = SimulatorDefaults.CordAppId, Secret = SimulatorDefaults.CordSecret }));
        var outcomes = new List<WebhookOutcome>();
        var delivered = new TaskCompletionSource<(Dictionary<string, string> Headers, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer);
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            delivered.TrySetResult((headers, buffer.ToArray()));
            return Results.Ok();
        });
        await receiver.StartAsync();
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { CordWebhookUrl = new Uri(receiver.Urls.First() + "/hook") });
        sims.Cord.CreateThread("th_w");

        sims.Cord.AddMessage("th_w", "customer_1", "hello from the widget");
        var (sent, body) = await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        outcomes.Add(verifier.Verify(name => sent.GetValueOrDefault(name), body));
        outcomes.Add(verifier.Verify(name => sent.GetValueOrDefault(name), body));

        Assert.Equal(new WebhookHint(SystemId.Cord, "th_w"), Assert.IsType<WebhookAccepted>(outcomes[0]).Hint);
        Assert.Equal(WebhookRejectionReason.Replayed, Assert.IsType<WebhookRejected>(outcomes[1]).Reason);
        Assert.Contains("\"type\":\"thread-message-added\"", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }
}
