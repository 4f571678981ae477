using System.Net;
using System.Security.Cryptography;
using System.Text;
using MessageSync.Simulators;

namespace MessageSync.IntegrationTests;

public sealed class RecoveryAndHintTests
{
    [Fact]
    public async Task A_write_whose_response_is_lost_is_found_in_the_target_and_never_written_twice()
    {
        await using var harness = await SyncHarness.StartAsync();
        // Each create takes effect but its response is garbled: the worker cannot know it succeeded. The retry must look
        // for the mirror (marker or deterministic id) instead of writing it again.
        var lost = new FaultSpec { MalformedRate = 1, Count = 1 };
        harness.Simulators.Pylon.SetFault(PylonSimulator.Note, lost);
        harness.Simulators.Pylon.SetFault(PylonSimulator.Reply, lost);
        harness.Simulators.Helpdesk.SetFault(HelpdeskSimulator.Create, lost);
        harness.Simulators.Cord.SetFault(CordSimulator.CreateKey, lost);
        await harness.StartWorkerAsync();

        await Scenario.RunEveryKindAsync(harness);
    }

    [Fact]
    public async Task A_signed_webhook_makes_the_worker_read_the_conversation_now_and_a_forged_one_is_refused()
    {
        await using var harness = await SyncHarness.StartAsync();
        harness.Simulators.Cord.AddMessage(SyncHarness.Thread, "agent_cord", "first, found by the first poll");
        await harness.StartWorkerAsync("Sync:Polling:ActiveInterval=00:05:00", "Sync:Polling:IdleInterval=00:05:00", "Sync:Polling:ReconcileInterval=01:00:00");
        await harness.WaitUntilAsync(() => Scenario.PylonCount(harness, "first, found") == 1, "the first poll has run");

        harness.Simulators.Cord.AddMessage(SyncHarness.Thread, "agent_cord", "second, announced by a webhook");
        await Task.Delay(1500);
        Assert.Equal(0, Scenario.PylonCount(harness, "second, announced"));

        using var http = new HttpClient { BaseAddress = harness.WorkerUrl };
        var body = $$$"""{"type":"thread-message-added","applicationID":"{{{SimulatorDefaults.CordAppId}}}","event":{"threadID":"{{{SyncHarness.Thread}}}"}}""";
        var forged = await http.SendAsync(Signed(body, "wrong-secret", DateTimeOffset.UtcNow));
        var stale = await http.SendAsync(Signed(body, SimulatorDefaults.CordSecret, DateTimeOffset.UtcNow.AddMinutes(-10)));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        await Task.Delay(1000);
        Assert.Equal(0, Scenario.PylonCount(harness, "second, announced"));

        var accepted = await http.SendAsync(Signed(body, SimulatorDefaults.CordSecret, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await harness.WaitUntilAsync(() => Scenario.PylonCount(harness, "second, announced") == 1, "the hinted conversation is read at once", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Metrics_and_probes_answer()
    {
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync();
        harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>counted</p>");
        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "counted") == 1, "the message is mirrored");
        using var http = new HttpClient { BaseAddress = harness.WorkerUrl };

        var metrics = await http.GetStringAsync("/metrics");

        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Contains("messagesync_changes_detected_total{system=\"pylon\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("messagesync_changes_applied_total", metrics, StringComparison.Ordinal);
        Assert.Contains("messagesync_outbox_pending{link=\"link-1\"} 0", metrics, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Signed(string body, string secret, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + ":" + body)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/cord") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Cord-Timestamp", timestamp);
        request.Headers.Add("X-Cord-Signature", signature);
        return request;
    }
}
