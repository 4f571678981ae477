using System.Globalization;
using System.Text.RegularExpressions;
using MessageSync.Simulators;

namespace MessageSync.Worker.Tests;

/// <summary>/metrics of a running worker while it syncs, parsed by Prometheus's own parser, with the counters moving.</summary>
public sealed partial class MetricsScrapeTests : IAsyncLifetime, IDisposable
{
    private const int Speed = 60;
    private readonly WorkerFolder _worker = new();
    private SimulatorHost _sims = null!;

    public async Task InitializeAsync()
    {
        _sims = await SimulatedSystems.StartOneLinkAsync(Speed);
    }

    [Fact]
    public async Task A_scrape_during_a_sync_parses_cleanly_and_the_counters_move()
    {
        for (var i = 0; i < 3; i++)
        {
            _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, $"<p>first wave {i}</p>");
        }

        using var worker = new RunningWorker(_worker.Start(
        [
            "run", "--Sync:Http:Urls=http://127.0.0.1:0", $"--Sync:State:Path={_worker.StatePath}",
            "--Sync:Polling:ActiveInterval=00:00:00.200", "--Sync:Polling:IdleInterval=00:00:00.500", "--Sync:Polling:RelayInterval=00:00:00.100",
            .. SimulatedSystems.Settings(_sims, Speed),
            "--Sync:Links:0:Id=link-1", "--Sync:Links:0:PylonIssueId=iss_1", "--Sync:Links:0:HelpdeskTicketId=tkt_1", "--Sync:Links:0:CordThreadId=th_1",
        ]));
        var listening = await worker.WaitForLineAsync(l => l.Contains("Now listening on: ", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = new Uri(listening[(listening.IndexOf("http://", StringComparison.Ordinal))..].Trim()) };

        await worker.WaitUntilAsync(() => Mirrored("first wave 0"), "the first wave starts arriving");
        var during = await http.GetAsync("/metrics");
        var first = await during.Content.ReadAsStringAsync();
        for (var i = 0; i < 3; i++)
        {
            _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, $"<p>second wave {i}</p>");
        }

        await worker.WaitUntilAsync(() => Enumerable.Range(0, 3).All(i => Mirrored($"second wave {i}")), "the second wave is mirrored");
        var second = await http.GetStringAsync("/metrics");

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", during.Content.Headers.ContentType?.ToString());
        await Promtool.AssertValidExpositionAsync(first);
        await Promtool.AssertValidExpositionAsync(second);
        Assert.True(Sum(second, "messagesync_changes_detected_total") > Sum(first, "messagesync_changes_detected_total"));
        Assert.True(Sum(second, "messagesync_changes_applied_total") > Sum(first, "messagesync_changes_applied_total"));
        Assert.True(Sum(second, "messagesync_http_requests_total") > Sum(first, "messagesync_http_requests_total"));
        Assert.True(Sum(second, "messagesync_polls_total") > Sum(first, "messagesync_polls_total"));
        Assert.True(Sum(second, "messagesync_sync_lag_seconds_count") > Sum(first, "messagesync_sync_lag_seconds_count"));
        Assert.True(Sum(second, "messagesync_apply_duration_seconds_count") >= 12, "3 + 3 messages into two targets each");
        Assert.Contains("messagesync_http_requests_total{endpoint=\"list-messages\",status=\"200\",system=\"pylon\"}", second, StringComparison.Ordinal);
        Assert.Contains("messagesync_outbox_pending{link=\"link-1\"} 0", second, StringComparison.Ordinal);
        Assert.Contains("process_cpu_seconds_total ", second, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total", second, StringComparison.Ordinal);
    }

    private bool Mirrored(string text) =>
        _sims.Helpdesk.GetMessages("tkt_1").Any(m => m.Content.Contains(text, StringComparison.Ordinal))
        && _sims.Cord.GetMessages("th_1").Any(m => m.Plaintext.Contains(text, StringComparison.Ordinal));

    /// <summary>The sum of every sample of one metric name (all label sets).</summary>
    private static double Sum(string exposition, string name) =>
        Sample().Matches(exposition).Where(m => m.Groups["name"].Value == name).Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();

    public async Task DisposeAsync() => await _sims.DisposeAsync();

    public void Dispose() => _worker.Dispose();
}
