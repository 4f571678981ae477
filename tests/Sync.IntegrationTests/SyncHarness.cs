using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MessageSync.Core.State;
using MessageSync.Simulators;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MessageSync.IntegrationTests;

/// <summary>
/// The three simulators over real HTTP on 127.0.0.1 and the worker's real host in-process, with a fresh SQLite file.
/// Rate limits are the documented ones compressed <see cref="Speed"/> times, in the simulators and in the worker's budgets
/// alike, so a test runs in seconds while the worker still has to respect every limit.
/// </summary>
public sealed class SyncHarness : IAsyncDisposable
{
    public const int Speed = 60;
    public const string LinkId = "link-1";
    public const string Issue = "iss_1", Ticket = "tkt_1", Thread = "th_1";

    private readonly string _folder;
    private WebApplication? _worker;

    private SyncHarness(SimulatorHost simulators, string folder)
    {
        Simulators = simulators;
        _folder = folder;
    }

    public SimulatorHost Simulators { get; }

    public IServiceProvider Services => _worker?.Services ?? throw new InvalidOperationException("The worker is not running.");

    public IStateStore Store => Services.GetRequiredService<IStateStore>();

    /// <summary>Where the worker's HTTP endpoints listen (a free loopback port).</summary>
    public Uri WorkerUrl => new(_worker?.Urls.First() ?? throw new InvalidOperationException("The worker is not running."));

    public static async Task<SyncHarness> StartAsync(bool createConversations = true)
    {
        var simulators = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = Speed });
        var folder = Path.Combine(Path.GetTempPath(), "messagesync-it-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var harness = new SyncHarness(simulators, folder);
        simulators.Pylon.AddUser("usr_dana", "Dana Agent", "dana@example.com");
        if (createConversations)
        {
            simulators.Pylon.CreateIssue(Issue, "contact_ana", "ana@example.com", "Ana Ruiz");
            simulators.Helpdesk.CreateTicket(Ticket);
            simulators.Cord.CreateThread(Thread, "Support", "https://app.example.com/t/1", "group_1");
        }

        return harness;
    }

    /// <summary>Starts the worker with the link and any extra configuration (<c>Sync:...=value</c>).</summary>
    public Task StartWorkerAsync(params string[] settings) => StartWorkerAsync(HostMode.Run, settings);

    /// <summary>Starts the worker host in <paramref name="mode"/> (Run: pollers too; Backfill: relay and consumers only).</summary>
    public async Task StartWorkerAsync(HostMode mode, params string[] settings)
    {
        var args = new List<string> { $"--Sync:State:Path={Path.Combine(_folder, "sync.db")}", "--Sync:Http:Urls=http://127.0.0.1:0" };
        args.AddRange(WorkerSettings(Simulators));
        args.AddRange(LinkSettings(0, LinkId, Issue, Ticket, Thread));
        args.AddRange(settings.Select(s => s.StartsWith("--", StringComparison.Ordinal) ? s : "--" + s));
        _worker = SyncHost.CreateBuilder([.. args], mode).Build();
        _worker.MapSyncEndpoints();
        await _worker.StartAsync();
    }

    /// <summary>Everything but the state, the links and the HTTP address: the simulators, their scaled budgets, fast polling.</summary>
    public static IEnumerable<string> WorkerSettings(SimulatorHost simulators) =>
    [
        "--Sync:Logging:MinimumLevel=Warning",
        "--Sync:Polling:ActiveInterval=00:00:00.200",
        "--Sync:Polling:IdleInterval=00:00:00.500",
        "--Sync:Polling:ReconcileInterval=00:00:02",
        "--Sync:Polling:RelayInterval=00:00:00.100",
        .. Chaos.WorkerSettings.Systems(simulators, Speed, "group_1").Select(s => "--" + s),
        // Who is who (Sync:People): the helpdesk customer is Ana, the Pylon contact; the agents are Dana everywhere.
        "--Sync:People:0:Name=Ana Ruiz",
        "--Sync:People:0:Email=ana@example.com",
        "--Sync:People:0:PylonContactId=contact_ana",
        "--Sync:People:0:HelpdeskAuthorId=customer_1",
        "--Sync:People:1:Name=Dana Agent",
        "--Sync:People:1:Email=dana@example.com",
        "--Sync:People:1:PylonUserId=usr_dana",
        "--Sync:People:1:HelpdeskAuthorId=agent_1",
        "--Sync:People:1:CordUserId=agent_cord",
    ];

    /// <summary>The settings of link number <paramref name="index"/> in Sync:Links.</summary>
    public static IEnumerable<string> LinkSettings(int index, string id, string issue, string ticket, string thread) =>
    [
        $"--Sync:Links:{index}:Id={id}",
        $"--Sync:Links:{index}:PylonIssueId={issue}",
        $"--Sync:Links:{index}:HelpdeskTicketId={ticket}",
        $"--Sync:Links:{index}:CordThreadId={thread}",
    ];

    public async Task StopWorkerAsync()
    {
        if (_worker is not null)
        {
            await _worker.StopAsync();
            await _worker.DisposeAsync();
            _worker = null;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> and a state dump otherwise.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Timed out waiting until {what}.\n{await DescribeAsync()}");
    }

    /// <summary>Lets the worker poll every system a few more times (to prove nothing more happens).</summary>
    public static Task SettleAsync() => Task.Delay(TimeSpan.FromSeconds(3));

    public async Task<string> DescribeAsync()
    {
        var text = new StringBuilder();
        text.AppendLine("Pylon:");
        foreach (var m in Simulators.Pylon.GetMessages(Issue))
        {
            text.AppendLine($"  {m.Id} {m.Kind} private={m.IsPrivate} reached={m.ReachedCustomer} deleted={m.Deleted} redacted={m.Redacted} {Trim(m.MessageHtml)}");
        }

        text.AppendLine("Helpdesk:");
        foreach (var m in Simulators.Helpdesk.GetMessages(Ticket))
        {
            text.AppendLine($"  {m.Id} {m.Type} email={m.EmailSent} {Trim(m.Content)}");
        }

        text.AppendLine("Cord:");
        foreach (var m in Simulators.Cord.GetMessages(Thread))
        {
            text.AppendLine($"  {m.Id} deleted={m.DeletedTimestamp is not null} hard={m.HardDeleted} {Trim(m.Plaintext)}");
        }

        if (_worker is not null)
        {
            text.AppendLine("Outcomes:");
            foreach (var o in await Store.ListOutcomesAsync(includeResolved: true))
            {
                text.AppendLine($"  {o.Kind} {o.Change} {o.Target} {o.Reason}");
            }
        }

        return text.ToString();
    }

    // ---- A person using the real APIs (not the simulators' back door) ----------------------------------------------

    public async Task PylonRedactAsync(string messageId) =>
        (await PylonClient().PostAsync($"issues/{Issue}/messages/{messageId}/redact", null)).EnsureSuccessStatusCode();

    public async Task PylonDeleteAsync(string messageId) =>
        (await PylonClient().DeleteAsync($"issues/{Issue}/messages/{messageId}")).EnsureSuccessStatusCode();

    public async Task CordEditAsync(string messageId, string text)
    {
        var body = new JsonObject { ["content"] = new JsonArray(new JsonObject { ["type"] = "p", ["children"] = new JsonArray(new JsonObject { ["text"] = text }) }) };
        var response = await CordClient().PutAsync($"v1/threads/{Thread}/messages/{messageId}", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    public async Task CordSoftDeleteAsync(string messageId)
    {
        var response = await CordClient().PutAsync($"v1/threads/{Thread}/messages/{messageId}", new StringContent("""{"deleted":true}""", Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    private HttpClient PylonClient()
    {
        var client = new HttpClient { BaseAddress = Simulators.PylonUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SimulatorDefaults.PylonToken);
        return client;
    }

    private HttpClient CordClient()
    {
        var client = new HttpClient { BaseAddress = Simulators.CordUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Simulators.MintCordToken());
        return client;
    }

    private static string Trim(string text) => text.Length > 90 ? text[..90] + "..." : text;

    public async ValueTask DisposeAsync()
    {
        await StopWorkerAsync();
        await Simulators.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown: the temp folder is cleaned by the OS.
        }
    }
}
