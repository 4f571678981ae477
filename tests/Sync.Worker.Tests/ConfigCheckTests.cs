using System.Text.Json;
using MessageSync.Worker.Hosting;

namespace MessageSync.Worker.Tests;

/// <summary>config check refuses exactly what run refuses, shows the settings in force with their sources and no secret,
/// and names file, line and key of a JSON syntax error in one line.</summary>
public sealed class ConfigCheckTests : IDisposable
{
    private readonly WorkerFolder _worker = new();

    public static TheoryData<string, string> InvalidConfigurations => new()
    {
        { "--Sync:Pylon:BaseUrl=notaurl", "Sync:Pylon:BaseUrl" },
        { "--Sync:Pylon:ApiTokenFile={missing}", "Sync:Pylon:ApiTokenFile" },
        { "--Sync:Helpdesk:SessionTokenFile={missing}", "Sync:Helpdesk:SessionTokenFile: '" },
        { "--Sync:Cord:SecretFile={empty}", "Sync:Cord:SecretFile: '" },
        { "--Sync:Cord:TokenRenewBefore=01:00:00", "TokenRenewBefore must be shorter than TokenLifetime" },
        { "--Sync:Polling:IdleInterval=banana", "Sync:Polling:IdleInterval" },
        { "--Sync:Links:0:Id=a --Sync:Links:0:PylonIssueId=iss_1 --Sync:Links:0:CordThreadId=th_1 --Sync:Links:0:HelpdeskTicketId=tkt_1 --only-pylon-and-helpdesk", "Sync:Links:0: names a Cord conversation, but Sync:Cord is not configured" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigurations))]
    public async Task Config_check_refuses_exactly_what_run_refuses(string settings, string named)
    {
        var args = Settings(settings);

        var check = await _worker.RunAsync(["config", "check", .. args]);
        var run = await _worker.RunAsync(["run", .. args]);

        Assert.True(check.ExitCode == 2, check.ToString());
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(named, check.Stderr, StringComparison.Ordinal);
        Assert.Contains(named, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", check.Output + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_settings_in_force_are_shown_with_their_sources_and_secrets_masked()
    {
        var file = Path.Combine(_worker.Path, "settings.json");
        await File.WriteAllTextAsync(file, """{ "Sync": { "Polling": { "ActiveInterval": "00:00:03", "IdleInterval": "00:00:30" }, "Helpdesk": { "SessionToken": "file-secret-jwt" } } }""");
        var environment = new Dictionary<string, string> { [SyncHost.ConfigFileVariable] = file, ["Sync__Polling__IdleInterval"] = "00:00:20" };

        var result = await _worker.RunAsync(["config", "check", "--json", .. _worker.Defaults, "--Sync:Pylon:ApiToken=cli-secret-token", "--Sync:Polling:ReconcileInterval=00:05:00"], environment);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("cli-secret-token", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("file-secret-jwt", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("test-cord-secret", result.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.True(document.RootElement.GetProperty("valid").GetBoolean());
        var settings = document.RootElement.GetProperty("settings").EnumerateArray()
            .ToDictionary(s => s.GetProperty("key").GetString()!, s => (Value: s.GetProperty("value").GetString(), Source: s.GetProperty("source").GetString()));
        Assert.Equal(("00:00:03", file), settings["Sync:Polling:ActiveInterval"]);
        Assert.Equal(("00:00:20", "environment Sync__Polling__IdleInterval"), settings["Sync:Polling:IdleInterval"]);
        Assert.Equal(("00:05:00", "command line"), settings["Sync:Polling:ReconcileInterval"]);
        Assert.Equal(("***", "command line"), settings["Sync:Pylon:ApiToken"]);
        Assert.Equal(("***", "command line"), settings["Sync:Cord:Secret"]);
        // The environment's file wins over the content root's appsettings.json (where RelayInterval is set), defaults fill the rest.
        Assert.EndsWith("appsettings.json", settings["Sync:Polling:RelayInterval"].Source, StringComparison.Ordinal);
        Assert.Equal(("20", "default"), settings["Sync:Pylon:Budgets:list-messages"]);
        Assert.Equal("***", settings["Sync:Helpdesk:SessionToken"].Value);
    }

    [Fact]
    public async Task A_json_syntax_error_is_one_line_naming_file_line_and_key_for_check_and_run()
    {
        var file = Path.Combine(_worker.Path, "broken.json");
        await File.WriteAllTextAsync(file, "{\n  \"Sync\": {\n    \"Polling\": {\n      \"ActiveInterval\": \"00:00:05\"\n      \"IdleInterval\": \"00:01:00\"\n    }\n  }\n}\n");
        var environment = new Dictionary<string, string> { [SyncHost.ConfigFileVariable] = file };

        var check = await _worker.RunAsync(["config", "check", .. _worker.Defaults], environment);
        var run = await _worker.RunAsync(["run", .. _worker.Defaults], environment);

        foreach (var result in new[] { check, run })
        {
            Assert.True(result.ExitCode == 2, result.ToString());
            var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.Contains($"{file}, line 5, column 7, key Sync:Polling:ActiveInterval:", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_missing_settings_file_is_one_line_and_exit_2()
    {
        var missing = Path.Combine(_worker.Path, "nowhere.json");

        var result = await _worker.RunAsync(["config", "check", .. _worker.Defaults], new Dictionary<string, string> { [SyncHost.ConfigFileVariable] = missing });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{missing}: the settings file does not exist", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_key_in_a_file_is_named_with_the_nearest_setting_by_check_and_at_start()
    {
        var file = Path.Combine(_worker.Path, "typo.json");
        await File.WriteAllTextAsync(file, """{ "Sync": { "Polling": { "ActivInterval": "00:00:01" } } }""");
        var environment = new Dictionary<string, string> { [SyncHost.ConfigFileVariable] = file };

        var check = await _worker.RunAsync(["config", "check", .. _worker.Defaults], environment);
        using var worker = new RunningWorker(_worker.Start(["run", .. _worker.Defaults], environment));
        var line = await worker.WaitForLineAsync(l => l.Contains("Setting ignored", StringComparison.Ordinal));

        Assert.Equal(0, check.ExitCode);
        Assert.Contains("warning: 'Sync:Polling:ActivInterval' is not a setting", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean Sync:Polling:ActiveInterval?", check.Stderr, StringComparison.Ordinal);
        Assert.Contains(file, check.Stderr, StringComparison.Ordinal);
        Assert.Contains("Sync:Polling:ActivInterval", line, StringComparison.Ordinal);
    }

    private string[] Settings(string line)
    {
        var missing = Path.Combine(_worker.Path, "no-such-token");
        var empty = Path.Combine(_worker.Path, "empty-token");
        File.WriteAllText(empty, "  \n");
        var settings = line.Replace("{missing}", missing, StringComparison.Ordinal).Replace("{empty}", empty, StringComparison.Ordinal).Split(' ').ToList();
        var defaults = _worker.Defaults.ToList();
        if (settings.Remove("--only-pylon-and-helpdesk"))
        {
            defaults.RemoveAll(d => d.StartsWith("--Sync:Cord:", StringComparison.Ordinal));
        }

        return [.. defaults, .. settings];
    }

    public void Dispose() => _worker.Dispose();
}
