using Microsoft.Extensions.Configuration;
using MessageSync.Worker.Commands;

namespace MessageSync.Worker.Tests;

/// <summary><c>health</c>, the container's HEALTHCHECK: the worker asks its running twin's /healthz.</summary>
public sealed class HealthCommandTests : IDisposable
{
    private readonly WorkerFolder _worker = new();

    [Fact]
    public async Task Health_exits_0_when_the_running_worker_answers_on_its_configured_address()
    {
        using var running = new RunningWorker(_worker.Start(["run", .. _worker.Defaults]));
        var url = await ListeningUrlAsync(running);

        var result = await _worker.RunAsync("health", $"--Sync:Http:Urls={url}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"healthy: {url}/healthz answered 200: ok", result.Stdout.Trim());
    }

    [Fact]
    public async Task Health_reads_the_address_from_the_mounted_settings_file_as_the_worker_does()
    {
        using var running = new RunningWorker(_worker.Start(["run", .. _worker.Defaults]));
        var url = await ListeningUrlAsync(running);
        var settings = Path.Combine(_worker.Path, "mounted.json");
        await File.WriteAllTextAsync(settings, $$"""{ "Sync": { "Http": { "Urls": "{{url}}" } } }""");

        var result = await _worker.RunAsync(["health"], new Dictionary<string, string> { ["SYNC_CONFIG_FILE"] = settings });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"healthy: {url}/healthz", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_exits_1_naming_the_address_when_nothing_answers()
    {
        var result = await _worker.RunAsync("health", "--Sync:Http:Urls=http://127.0.0.1:9", "--timeout", "00:00:03");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("unhealthy: http://127.0.0.1:9/healthz did not answer", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_a_configuration_error_when_the_worker_serves_no_endpoint()
    {
        var result = await _worker.RunAsync("health", "--Sync:Http:Enabled=false");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Sync:Http:Enabled is false", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Health_refuses_an_unreadable_settings_file_in_one_line()
    {
        var settings = Path.Combine(_worker.Path, "broken.json");
        await File.WriteAllTextAsync(settings, """{ "Sync": { "Http": { "Urls": """);

        var result = await _worker.RunAsync(["health"], new Dictionary<string, string> { ["SYNC_CONFIG_FILE"] = settings });

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("broken.json", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://+:8080", false, "http://127.0.0.1:8080/healthz")]
    [InlineData("http://*:8080", false, "http://127.0.0.1:8080/healthz")]
    [InlineData("http://0.0.0.0:9000", true, "http://127.0.0.1:9000/readyz")]
    [InlineData("http://[::]:8080", false, "http://[::1]:8080/healthz")]
    [InlineData("http://127.0.0.1:8080;http://+:9090", false, "http://127.0.0.1:8080/healthz")]
    [InlineData("http://worker.local:8080/", false, "http://worker.local:8080/healthz")]
    public void The_probe_asks_a_wildcard_listener_on_loopback(string urls, bool ready, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Sync:Http:Urls"] = urls }).Build();

        Assert.Equal(expected, HealthCommand.ProbeUrl(configuration, ready));
    }

    [Fact]
    public void The_container_healthcheck_runs_the_health_verb()
    {
        var docker = File.ReadAllLines(Path.Combine(Repo.Root, "Dockerfile"));
        var healthcheck = Assert.Single(docker, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));

        Assert.EndsWith("CMD [\"dotnet\", \"Sync.Worker.dll\", \"health\"]", healthcheck, StringComparison.Ordinal);
        Assert.Null(SyncCommandLine.Parse(["health"]).Refusal);
    }

    private static async Task<string> ListeningUrlAsync(RunningWorker running)
    {
        var line = await running.WaitForLineAsync(l => l.Contains("Now listening on: ", StringComparison.Ordinal));
        return line[line.IndexOf("http://", StringComparison.Ordinal)..].Trim().TrimEnd('/');
    }

    public void Dispose() => _worker.Dispose();
}
