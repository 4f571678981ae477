using System.Text.Json;
using MessageSync.Simulators;

namespace MessageSync.Worker.Tests;

/// <summary>The check verb against the simulators over real HTTP, the test broker (SYNC_TEST_RABBITMQ) and real state files.</summary>
public sealed class CheckVerbTests : IAsyncLifetime, IDisposable
{
    private readonly WorkerFolder _worker = new();
    private SimulatorHost _simulators = null!;

    public async Task InitializeAsync()
    {
        _simulators = await SimulatorHost.StartAsync();
        _simulators.Pylon.CreateIssue("iss_1", "contact_1", "ana@example.com", "Ana");
        _simulators.Helpdesk.CreateTicket("tkt_1");
        _simulators.Cord.CreateThread("th_1", "Support", "https://app.example.com/t/1", "group_1");
    }

    [Fact]
    public async Task Every_check_passes_against_reachable_systems_the_broker_and_an_existing_store()
    {
        await CreateStateFileAsync();

        var result = await CheckAsync([.. Systems(), .. Broker(), .. Link("iss_1", "tkt_1", "th_1")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var checks = Checks(result);
        Assert.Equal(["configuration", "state store", "broker", "Pylon", "Helpdesk", "Cord"], checks.Keys);
        Assert.All(checks.Values, c => Assert.Equal("pass", c.Status));
        Assert.Contains("connected (RabbitMQ", checks["broker"].Detail, StringComparison.Ordinal);
        Assert.Contains("iss_1", checks["Pylon"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_credentials_and_an_unreachable_system_fail_the_check_with_exit_1()
    {
        await CreateStateFileAsync();
        var settings = Systems().Select(s => s.StartsWith("--Sync:Pylon:ApiToken=", StringComparison.Ordinal) ? "--Sync:Pylon:ApiToken=wrong-token" : s)
            .Select(s => s.StartsWith("--Sync:Helpdesk:BaseUrl=", StringComparison.Ordinal) ? "--Sync:Helpdesk:BaseUrl=http://127.0.0.1:9" : s)
            .Concat(Broker().Select(s => s.StartsWith("--Sync:RabbitMq:Password=", StringComparison.Ordinal) ? "--Sync:RabbitMq:Password=wrong-password" : s));

        var result = await CheckAsync([.. settings, "--Sync:Helpdesk:MaxRetries=0", .. Link("iss_1", "tkt_1", "th_1")]);

        Assert.True(result.ExitCode == 1, result.ToString());
        var checks = Checks(result);
        Assert.Equal("fail", checks["Pylon"].Status);
        Assert.Contains("credentials refused", checks["Pylon"].Detail, StringComparison.Ordinal);
        Assert.Equal("fail", checks["Helpdesk"].Status);
        Assert.Contains("unreachable", checks["Helpdesk"].Detail, StringComparison.Ordinal);
        Assert.Equal("fail", checks["broker"].Status);
        Assert.Contains("credentials refused", checks["broker"].Detail, StringComparison.Ordinal);
        Assert.Equal("pass", checks["Cord"].Status);
        Assert.DoesNotContain("wrong-token", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_state_file_a_missing_conversation_and_a_system_no_link_names_are_warnings()
    {
        var result = await CheckAsync([.. Systems(), .. Link("iss_missing", "tkt_1", null)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var checks = Checks(result);
        Assert.Equal("warn", checks["state store"].Status);
        Assert.Contains("does not exist yet", checks["state store"].Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(_worker.StatePath), "check must not create the state file");
        Assert.Equal("pass", checks["broker"].Status);
        Assert.Equal("warn", checks["Pylon"].Status);
        Assert.Contains("iss_missing", checks["Pylon"].Detail, StringComparison.Ordinal);
        Assert.Equal("pass", checks["Helpdesk"].Status);
        Assert.Equal("warn", checks["Cord"].Status);
        Assert.Contains("no link names", checks["Cord"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_PostgreSQL_state_store_is_checked_through_a_real_connection_and_an_unreachable_one_fails()
    {
        var server = Environment.GetEnvironmentVariable("SYNC_TEST_POSTGRES");
        Assert.False(string.IsNullOrWhiteSpace(server), "SYNC_TEST_POSTGRES is not set: run the tests through scripts/test.sh, which starts a private PostgreSQL.");
        var database = "sync_check_" + Guid.NewGuid().ToString("N");
        await using (var connection = new Npgsql.NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database};", connection);
            await create.ExecuteNonQueryAsync();
        }

        var reachable = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = database };
        var unreachable = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = database, Port = 1, Password = "pg-secret-password" };

        var good = await CheckAsync([.. Systems(), "--Sync:State:Provider=Postgres", $"--Sync:State:ConnectionString={reachable}"]);
        var bad = await CheckAsync([.. Systems(), "--Sync:State:Provider=Postgres", $"--Sync:State:ConnectionString={unreachable}"]);

        Assert.Equal("pass", Checks(good)["state store"].Status);
        Assert.Contains($"PostgreSQL {reachable.Host}:{reachable.Port}/{database}", Checks(good)["state store"].Detail, StringComparison.Ordinal);
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("fail", Checks(bad)["state store"].Status);
        Assert.DoesNotContain("pg-secret-password", bad.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_configuration_exits_2_before_anything_is_tried()
    {
        var result = await CheckAsync([.. Systems(), "--Sync:Pylon:BaseUrl=notaurl"]);

        Assert.Equal(2, result.ExitCode);
        var check = Assert.Single(Checks(result));
        Assert.Equal("configuration", check.Key);
        Assert.Contains("Sync:Pylon:BaseUrl", check.Value.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_table_lists_each_check_with_its_result()
    {
        await CreateStateFileAsync();

        var result = await _worker.RunAsync(["check", $"--Sync:State:Path={_worker.StatePath}", .. Systems(), .. Link("iss_1", "tkt_1", "th_1")]);

        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "configuration", "state store", "broker", "Pylon", "Helpdesk", "Cord" })
        {
            Assert.Contains(result.Stdout.Split('\n'), l => l.Contains($" {name} ", StringComparison.Ordinal) && l.Contains(" pass ", StringComparison.Ordinal));
        }
    }

    private Task<WorkerResult> CheckAsync(string[] settings) =>
        _worker.RunAsync(["check", "--json", $"--Sync:State:Path={_worker.StatePath}", "--Sync:Http:Urls=http://127.0.0.1:0", .. settings]);

    private async Task CreateStateFileAsync() => Assert.Equal(0, (await _worker.RunAsync("links", "list", $"--Sync:State:Path={_worker.StatePath}")).ExitCode);

    private string[] Systems() =>
    [
        $"--Sync:Pylon:BaseUrl={_simulators.PylonUrl}", $"--Sync:Pylon:ApiToken={SimulatorDefaults.PylonToken}",
        $"--Sync:Helpdesk:BaseUrl={_simulators.HelpdeskUrl}", $"--Sync:Helpdesk:SessionToken={_simulators.MintHelpdeskToken("agent", TimeSpan.FromHours(1), "agent_sync")}",
        $"--Sync:Cord:BaseUrl={_simulators.CordUrl}", $"--Sync:Cord:ApplicationId={SimulatorDefaults.CordAppId}", $"--Sync:Cord:Secret={SimulatorDefaults.CordSecret}",
    ];

    private static string[] Broker() => TestBroker.Settings();

    private static string[] Link(string? issue, string? ticket, string? thread) =>
    [
        "--Sync:Links:0:Id=link-1",
        .. issue is null ? Array.Empty<string>() : [$"--Sync:Links:0:PylonIssueId={issue}"],
        .. ticket is null ? Array.Empty<string>() : [$"--Sync:Links:0:HelpdeskTicketId={ticket}"],
        .. thread is null ? Array.Empty<string>() : [$"--Sync:Links:0:CordThreadId={thread}"],
    ];

    private static Dictionary<string, (string Status, string Detail)> Checks(WorkerResult result)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => (c.GetProperty("status").GetString()!, c.GetProperty("detail").GetString()!));
    }

    public async Task DisposeAsync() => await _simulators.DisposeAsync();

    public void Dispose() => _worker.Dispose();
}

/// <summary>The private broker scripts/test.sh starts (SYNC_TEST_RABBITMQ). Without it a test that needs it fails, never skips.</summary>
public static class TestBroker
{
    public const string Variable = "SYNC_TEST_RABBITMQ";

    public static string[] Settings()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        Assert.False(string.IsNullOrWhiteSpace(value), $"{Variable} is not set: run the tests through scripts/test.sh, which starts a private RabbitMQ broker.");
        var uri = new Uri(value);
        var credentials = uri.UserInfo.Split(':', 2);
        return
        [
            "--Sync:Transport=RabbitMQ",
            $"--Sync:RabbitMq:Host={uri.Host}",
            $"--Sync:RabbitMq:Port={uri.Port}",
            $"--Sync:RabbitMq:Username={Uri.UnescapeDataString(credentials[0])}",
            $"--Sync:RabbitMq:Password={Uri.UnescapeDataString(credentials.ElementAtOrDefault(1) ?? "")}",
        ];
    }
}
