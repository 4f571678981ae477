using System.Text.Json;

namespace MessageSync.Worker.Tests;

/// <summary>The built worker as an operator starts it: a real process, real stdout, real exit codes.</summary>
public sealed class WorkerProcessTests : IDisposable
{
    private readonly WorkerFolder _worker = new();

    [Fact]
    public async Task An_invalid_option_stops_start_up_with_exit_2_and_a_message_naming_it()
    {
        var (exit, output) = await RunToEndAsync("--Sync:Polling:IdleInterval=banana");

        Assert.Equal(2, exit);
        Assert.Contains("Sync:Polling:IdleInterval", output, StringComparison.Ordinal);
        Assert.Contains("banana", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_out_of_range_stops_start_up_with_a_message_naming_it()
    {
        var (exit, output) = await RunToEndAsync("--Sync:RabbitMq:Port=0");

        Assert.Equal(2, exit);
        Assert.Contains("Sync:RabbitMq:Port: '0'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_link_it_says_what_to_configure_and_keeps_running_on_embedded_defaults()
    {
        using var worker = Start();

        var line = await worker.WaitForLineAsync(l => l.Contains("No link is configured", StringComparison.Ordinal));

        Assert.Contains("Sync:Links", line, StringComparison.Ordinal);
        await Task.Delay(1000);
        Assert.False(worker.Process.HasExited, "the worker must keep running without links");
        Assert.True(File.Exists(_worker.StatePath), "the state file is created on first run");
    }

    [Fact]
    public async Task Json_format_prints_one_JSON_object_a_line()
    {
        using var worker = Start("--Sync:Logging:Format=Json");

        var line = await worker.WaitForLineAsync(l => l.Contains("No link is configured", StringComparison.Ordinal));

        using var document = JsonDocument.Parse(line);
        Assert.Equal("Warning", document.RootElement.GetProperty("Level").GetString());
        Assert.True(document.RootElement.TryGetProperty("Timestamp", out _));
        Assert.All(worker.Lines.Where(l => l.StartsWith('{')), l => JsonDocument.Parse(l).Dispose());
    }

    [Fact]
    public async Task An_unreachable_broker_is_reported_in_one_line_and_the_worker_keeps_running()
    {
        using var worker = Start("--Sync:Transport=RabbitMQ", "--Sync:RabbitMq:Port=1");

        var line = await worker.WaitForLineAsync(l => l.Contains("Waiting for the message bus", StringComparison.Ordinal));

        Assert.Contains("RabbitMQ at 127.0.0.1:1", line, StringComparison.Ordinal);
        Assert.Contains("nothing is lost", line, StringComparison.Ordinal);
        await Task.Delay(1000);
        Assert.False(worker.Process.HasExited, "an always-on worker waits for its broker");
        Assert.DoesNotContain(worker.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Config_check_validates_without_starting()
    {
        var (ok, okOutput) = await RunToEndAsync("config", "check");
        var (bad, badOutput) = await RunToEndAsync("config", "check", "--Sync:Links:0:Id=x", "--Sync:Links:0:PylonIssueId=iss_1");

        Assert.Equal(0, ok);
        Assert.Contains("configuration is valid", okOutput, StringComparison.Ordinal);
        Assert.Equal(2, bad);
        Assert.Contains("Sync:Links:0: a link names at least two systems", badOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_added_with_the_command_are_listed_and_removed()
    {
        var (added, _) = await RunToEndAsync("links", "add", "support-1", "--pylon", "iss_1", "--cord", "th_1");
        var (_, listed) = await RunToEndAsync("links", "list");
        var (refused, refusal) = await RunToEndAsync("links", "add", "lonely", "--pylon", "iss_2");
        var (removed, _) = await RunToEndAsync("links", "remove", "support-1");

        Assert.Equal(0, added);
        Assert.Contains("support-1", listed, StringComparison.Ordinal);
        Assert.Equal(2, refused);
        Assert.Contains("at least two systems", refusal, StringComparison.Ordinal);
        Assert.Equal(0, removed);
    }

    private RunningWorker Start(params string[] args) => new(_worker.Start([.. args, .. _worker.Defaults]));

    private async Task<(int Exit, string Output)> RunToEndAsync(params string[] args)
    {
        var result = await _worker.RunAsync([.. args, .. _worker.Defaults]);
        return (result.ExitCode, result.Output);
    }

    public void Dispose() => _worker.Dispose();
}
