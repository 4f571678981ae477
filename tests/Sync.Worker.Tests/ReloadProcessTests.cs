using MessageSync.Simulators;
using MessageSync.Worker.Hosting;

namespace MessageSync.Worker.Tests;

/// <summary>
/// A running worker process and its mounted settings file (SYNC_CONFIG_FILE, watched as in a container), against the
/// simulators: what a reload changes is seen in the systems and the log, and a broken edit is refused while syncing goes on.
/// </summary>
public sealed class ReloadProcessTests : IAsyncLifetime, IDisposable
{
    private const int Speed = 60;
    private readonly WorkerFolder _worker = new();
    private SimulatorHost _sims = null!;

    public async Task InitializeAsync()
    {
        _sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = Speed });
        foreach (var n in new[] { 1, 2 })
        {
            _sims.Pylon.CreateIssue($"iss_{n}", $"contact_{n}", $"c{n}@example.com", $"Customer {n}");
            _sims.Helpdesk.CreateTicket($"tkt_{n}");
        }
    }

    [Fact]
    public async Task Reloaded_links_polling_intervals_and_log_level_take_effect_and_a_broken_edit_is_refused_while_syncing_goes_on()
    {
        var file = Path.Combine(_worker.Path, "appsettings.json");
        await File.WriteAllTextAsync(file, Settings(interval: "01:00:00", level: "Warning", links: Link(1)));
        _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>before start</p>");
        _sims.Pylon.AddMessage("iss_2", SimMessageKind.Customer, "<p>waiting for link two</p>");
        using var worker = new RunningWorker(_worker.Start(
        [
            "run", "--Sync:Http:Urls=http://127.0.0.1:0", $"--Sync:State:Path={_worker.StatePath}",
            .. SimulatedSystems.Settings(_sims, Speed, cord: false),
        ], new Dictionary<string, string> { [SyncHost.ConfigFileVariable] = file }));
        await worker.WaitUntilAsync(() => InHelpdesk("tkt_1", "before start"), "the first link syncs at start");

        // With hour-long intervals this message waits; the reload shortens them, adds link two and turns on Debug.
        _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>after the reload</p>");
        await File.WriteAllTextAsync(file, Settings(interval: "00:00:00.200", level: "Debug", links: Link(1) + ", " + Link(2)));

        var reloaded = await worker.WaitForLineAsync(l => l.Contains("Configuration reloaded", StringComparison.Ordinal));
        Assert.Contains("Sync:Links:1:Id", reloaded, StringComparison.Ordinal);
        Assert.Contains("Sync:Logging:MinimumLevel", reloaded, StringComparison.Ordinal);
        Assert.Contains("Sync:Polling:ActiveInterval, Sync:Polling:IdleInterval", reloaded, StringComparison.Ordinal);
        await worker.WaitUntilAsync(() => InHelpdesk("tkt_2", "waiting for link two"), "the added link syncs");
        await worker.WaitUntilAsync(() => InHelpdesk("tkt_1", "after the reload"), "the shorter interval polls the first link again");
        await worker.WaitForLineAsync(l => l.Contains(" DBG] ", StringComparison.Ordinal));

        // A truncated edit: refused in one line naming the file, and the last good configuration keeps syncing.
        await File.WriteAllTextAsync(file, Settings(interval: "00:00:00.200", level: "Debug", links: Link(1))[..60]);
        var refused = await worker.WaitForLineAsync(l => l.Contains("Configuration reload refused", StringComparison.Ordinal));
        Assert.Contains($"{file}, line ", refused, StringComparison.Ordinal);
        _sims.Pylon.AddMessage("iss_2", SimMessageKind.Customer, "<p>after the broken edit</p>");
        await worker.WaitUntilAsync(() => InHelpdesk("tkt_2", "after the broken edit"), "link two still syncs on the last good configuration");
        Assert.False(worker.Process.HasExited);
    }

    private static string Settings(string interval, string level, string links) => $$"""
        {
          "Sync": {
            "Polling": { "ActiveInterval": "{{interval}}", "IdleInterval": "{{interval}}", "RelayInterval": "00:00:00.100" },
            "Logging": { "MinimumLevel": "{{level}}" },
            "Links": [ {{links}} ]
          }
        }
        """;

    private static string Link(int n) => $$"""{ "Id": "link-{{n}}", "PylonIssueId": "iss_{{n}}", "HelpdeskTicketId": "tkt_{{n}}" }""";

    private bool InHelpdesk(string ticket, string text) => _sims.Helpdesk.GetMessages(ticket).Any(m => m.Content.Contains(text, StringComparison.Ordinal));

    public async Task DisposeAsync() => await _sims.DisposeAsync();

    public void Dispose() => _worker.Dispose();
}
