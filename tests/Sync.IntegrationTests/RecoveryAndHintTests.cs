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

        // Polling every 5 minutes: from here on only a webhook makes the worker read Cord (its polls are counted).
        using var http = new HttpClient { BaseAddress = harness.WorkerUrl };
        var polled = await CordPollsAsync(http);
        harness.Simulators.Cord.AddMessage(SyncHarness.Thread, "agent_cord", "second, announced by a webhook");

        var body = $$$"""{"type":"thread-message-added","applicationID":"{{{SimulatorDefaults.CordAppId}}}","event":{"threadID":"{{{SyncHarness.Thread}}}"}}""";
        var forged = await http.SendAsync(Signed(body, "wrong-secret", DateTimeOffset.UtcNow));
        var stale = await http.SendAsync(Signed(body, SimulatorDefaults.CordSecret, DateTimeOffset.UtcNow.AddMinutes(-10)));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal(polled, await CordPollsAsync(http));
        Assert.Equal(0, Scenario.PylonCount(harness, "second, announced"));

        var accepted = await http.SendAsync(Signed(body, SimulatorDefaults.CordSecret, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await harness.WaitUntilAsync(() => Scenario.PylonCount(harness, "second, announced") == 1, "the hinted conversation is read at once", TimeSpan.FromSeconds(20));
        Assert.True(await CordPollsAsync(http) > polled);
    }

    /// <summary>Polls of Cord started so far, from the worker's own /metrics.</summary>
    private static async Task<long> CordPollsAsync(HttpClient http)
    {
        var metrics = await http.GetStringAsync("/metrics");
        var match = System.Text.RegularExpressions.Regex.Match(metrics, "^messagesync_polls_total\\{system=\"cord\"\\} (\\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [Fact]
    public async Task A_message_in_a_linked_issue_is_noticed_through_pylons_issue_search_while_per_issue_polling_is_slowed_down()
    {
        await using var harness = await SyncHarness.StartAsync();
        harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>first, found by the first poll</p>");
        await harness.StartWorkerAsync(SlowPolling("00:00:00.500"));
        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "first, found") == 1, "the first poll has run");

        harness.Simulators.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>second, named by the issue search</p>");

        // The issue is not due for five minutes: only the search can have named it.
        await harness.WaitUntilAsync(() => Scenario.CordCount(harness, "second, named") == 1, "the searched issue is read at once", TimeSpan.FromSeconds(30));
        Assert.True(harness.Simulators.Pylon.GetStats(PylonSimulator.SearchIssues).Requests > 0);
        Assert.Equal(0, harness.Simulators.Pylon.GetStats(PylonSimulator.SearchIssues).RateLimited);
    }

    [Fact]
    public async Task A_message_in_a_linked_thread_is_noticed_through_cords_message_list_while_per_thread_polling_is_slowed_down()
    {
        await using var harness = await SyncHarness.StartAsync();
        harness.Simulators.Cord.AddMessage(SyncHarness.Thread, "agent_cord", "first, found by the first poll");
        await harness.StartWorkerAsync(SlowPolling("00:00:00.500"));
        await harness.WaitUntilAsync(() => Scenario.PylonCount(harness, "first, found") == 1, "the first poll has run");

        harness.Simulators.Cord.AddMessage(SyncHarness.Thread, "agent_cord", "second, listed by the application-wide list");

        // Read at once: its first copy (the helpdesk's or Pylon's, whichever the budgets let through first) shows it.
        await harness.WaitUntilAsync(
            () => Scenario.PylonCount(harness, "second, listed") + Scenario.HelpdeskCount(harness, "second, listed") > 0,
            "the listed thread is read at once", TimeSpan.FromSeconds(30));
        Assert.True(harness.Simulators.Cord.GetStats(CordSimulator.ListAll).Requests > 0);
    }

    // Per-conversation polling every five minutes, no full scan within the test: a feed read every `feedInterval`.
    private static string[] SlowPolling(string feedInterval) =>
        ["Sync:Polling:ActiveInterval=00:05:00", "Sync:Polling:IdleInterval=00:05:00", "Sync:Polling:ReconcileInterval=01:00:00", $"Sync:Polling:Feeds:Interval={feedInterval}"];

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
