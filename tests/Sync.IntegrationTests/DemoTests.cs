using System.Diagnostics;
using MessageSync.IntegrationTests.Chaos;

namespace MessageSync.IntegrationTests;

/// <summary>The README's first command, as a newcomer runs it: <c>scripts/demo.sh --once</c> on embedded defaults.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_READMEs_first_command_syncs_the_sample_conversations_and_exits_0()
    {
        var start = new ProcessStartInfo("bash", ["scripts/demo.sh", "--once"])
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["DEMO_NO_BUILD"] = "1" },
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}:\n{output}");
        Assert.Contains("backfill caughtUp", output, StringComparison.Ordinal);
        Assert.Contains("link demo-1", output, StringComparison.Ordinal);
        Assert.Contains("Faulted 0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Faulted 1", output, StringComparison.Ordinal);
    }
}
