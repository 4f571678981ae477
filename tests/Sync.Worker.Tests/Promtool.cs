using System.Diagnostics;

namespace MessageSync.Worker.Tests;

/// <summary>
/// Prometheus's own promtool (Debian's prometheus package; scripts/test.sh installs it with scripts/promtool.sh and sets
/// SYNC_TEST_PROMTOOL). A test that needs it fails, never skips, when it is missing.
/// </summary>
public static class Promtool
{
    public const string Variable = "SYNC_TEST_PROMTOOL";

    public static string Path
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(Variable);
            if (!string.IsNullOrWhiteSpace(configured) && File.Exists(configured))
            {
                return configured;
            }

            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => System.IO.Path.Combine(dir, "promtool")).FirstOrDefault(File.Exists);
            Assert.True(onPath is not null, $"promtool is missing: run the tests through scripts/test.sh (scripts/promtool.sh install), or set {Variable}.");
            return onPath!;
        }
    }

    /// <summary>Runs promtool with <paramref name="args"/> (and <paramref name="input"/> on stdin); returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string? input, params string[] args)
    {
        var info = new ProcessStartInfo(Path) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>Parses an exposition as Prometheus does, with its lint rules; asserts no problem is found.</summary>
    public static async Task AssertValidExpositionAsync(string exposition)
    {
        var (exit, output) = await RunAsync(exposition, "check", "metrics");
        Assert.True(exit == 0 && output.Length == 0, $"promtool check metrics: exit {exit}\n{output}\n--- exposition\n{exposition}");
    }
}
