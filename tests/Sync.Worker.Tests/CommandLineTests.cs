using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using MessageSync.Worker.Commands;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Tests;

/// <summary>The strict command line: every verb's exit codes, suggestions for typos, settings only as --Sync:Key=Value.</summary>
public sealed partial class CommandLineTests : IDisposable
{
    private readonly WorkerFolder _worker = new();

    /// <summary>Usage errors found by the parser, before any host starts: checked in-process (the process tests below
    /// prove the same refusal reaches stderr with exit code 2).</summary>
    [Theory]
    [InlineData("statsu", "unknown verb 'statsu'; did you mean 'status'?")]
    [InlineData("--Sync:Polling:ActivInterval=00:00:01", "did you mean Sync:Polling:ActiveInterval?")]
    [InlineData("--Sync:Transport", "settings take the form --Sync:Transport=VALUE")]
    [InlineData("--Logging:LogLevel:Default=Debug", "settings take the form --Sync:Key=Value")]
    [InlineData("--Sync__Transport=RabbitMQ", "(--Sync:Transport=...)")]
    [InlineData("Sync:Transport=RabbitMQ", "unknown verb 'Sync:Transport=RabbitMQ'")]
    [InlineData("--Sync:Polling=5", "is a section, not a value")]
    [InlineData("status --jsno", "unknown option '--jsno' for 'status'; did you mean '--json'?")]
    [InlineData("status extra", "unexpected argument 'extra' for 'status'")]
    [InlineData("backfill --links x", "unknown option '--links' for 'backfill'; did you mean '--link'?")]
    [InlineData("backfill --timeout soon", "'soon' is not a positive time span")]
    [InlineData("backfill --timeout 00:00:00", "'00:00:00' is not a positive time span")]
    [InlineData("links lst", "unknown verb 'lst'; did you mean 'list'?")]
    [InlineData("links", "Required command was not provided")]
    [InlineData("links add x --pylon iss_1 --cord th_1 --deliver-replies-via Email", "Email")]
    [InlineData("links add x --pylon", "Required argument missing for option: '--pylon'")]
    [InlineData("errors replay abc", "'abc' is not an outcome id")]
    [InlineData("errors ack", "Required argument missing")]
    [InlineData("errors ack abc", "'abc' is not an outcome id")]
    [InlineData("errors ack 0", "'0' is not an outcome id")]
    [InlineData("errors ak 1", "unknown verb 'ak'; did you mean 'ack'?")]
    [InlineData("config chek", "unknown verb 'chek'; did you mean 'check'?")]
    [InlineData("check --timeout never", "'never' is not a positive time span")]
    public void A_usage_error_is_refused_before_anything_runs(string line, string expected)
    {
        var parsed = SyncCommandLine.Parse(line.Split(' '));

        Assert.Null(parsed.Result);
        Assert.NotNull(parsed.Refusal);
        Assert.Contains(parsed.Refusal, l => l.Contains(expected, StringComparison.Ordinal));
        Assert.StartsWith("Run 'Sync.Worker ", parsed.Refusal[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status --json")]
    [InlineData("backfill --link a --link b --timeout 01:00:00 --json")]
    [InlineData("links add x --pylon iss_1 --cord th_1 --cord-agent u1 --cord-agent u2 --deliver-replies-via Pylon")]
    [InlineData("errors ack 1 2 3")]
    [InlineData("check --timeout 00:00:10 --json --Sync:Transport=RabbitMQ")]
    public void A_well_formed_line_parses(string line)
    {
        var parsed = SyncCommandLine.Parse(line.Split(' '));

        Assert.Null(parsed.Refusal);
        Assert.NotNull(parsed.Result);
    }

    [Theory]
    [InlineData("statsu", 2, "unknown verb 'statsu'; did you mean 'status'?")]
    [InlineData("--help", 0, "Exit codes:")]
    [InlineData("status --help", 0, "Exit codes:")]
    [InlineData("--Sync:RabbitMq:Port=0", 2, "Sync:RabbitMq:Port: '0'")]
    public Task The_root_and_run_exit_with_the_documented_codes(string line, int code, string expected) => AssertExit(line, code, expected);

    [Theory]
    [InlineData("status", 0, "")]
    [InlineData("status --jsno", 2, "did you mean '--json'?")]
    public Task Status_exits_with_the_documented_codes(string line, int code, string expected) => AssertExit(line, code, expected);

    [Theory]
    [InlineData("backfill --create", 1, "read failure(s)")] // the default systems are unreachable: each walk fails, exit 1
    [InlineData("backfill", 2, "Sync:State:Path: '")]
    [InlineData("backfill --links x", 2, "unknown option '--links' for 'backfill'; did you mean '--link'?")]
    [InlineData("backfill --create --link nope", 2, "no link has id 'nope'")]
    [InlineData("backfill --create --link known-1 --link knwon-2", 2, "no link has id 'knwon-2'; did you mean 'known-2'?")]
    [InlineData("backfill --timeout soon", 2, "'soon' is not a positive time span")]
    [InlineData("backfill --timeout 00:00:00", 2, "'00:00:00' is not a positive time span")]
    public Task Backfill_exits_with_the_documented_codes(string line, int code, string expected) =>
        AssertExit(line, code, expected, "--Sync:Links:0:Id=known-1", "--Sync:Links:0:PylonIssueId=iss_1", "--Sync:Links:0:CordThreadId=th_1",
            "--Sync:Links:1:Id=known-2", "--Sync:Links:1:PylonIssueId=iss_2", "--Sync:Links:1:CordThreadId=th_2");

    [Fact]
    public async Task A_setting_after_a_link_option_is_a_setting_not_a_link_id()
    {
        var elsewhere = Path.Combine(_worker.Path, "elsewhere", "other.db");

        var result = await _worker.RunAsync("backfill", "--create", "--link", "bf", $"--Sync:State:Path={elsewhere}", "--Sync:Http:Urls=http://127.0.0.1:0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no link has id 'bf'", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Sync:State:Path", result.Stderr.Replace(elsewhere, "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(File.Exists(elsewhere), "the setting was applied: " + result);
    }

    [Theory]
    [InlineData("links list", 0, "")]
    [InlineData("links add support-1 --pylon iss_1 --cord th_1", 0, "link support-1 saved")]
    [InlineData("links add lonely --pylon iss_1", 2, "link: a link names at least two systems")]
    [InlineData("links add configured --pylon iss_1 --cord th_1", 2, "link configured is configured in appsettings")]
    [InlineData("links remove configured", 2, "link configured is configured in appsettings (Sync:Links); remove it there")]
    [InlineData("links remove nope", 2, "no stored link has id nope")]
    public Task Links_exit_with_the_documented_codes(string line, int code, string expected) =>
        AssertExit(line, code, expected, "--Sync:Links:0:Id=configured", "--Sync:Links:0:PylonIssueId=iss_9", "--Sync:Links:0:CordThreadId=th_9");

    [Fact]
    public async Task Links_add_refuses_a_link_naming_a_system_that_is_not_configured()
    {
        var result = await _worker.RunAsync("links", "add", "x", "--pylon", "iss_1", "--helpdesk", "tkt_1", $"--Sync:State:Path={_worker.StatePath}",
            "--Sync:Pylon:BaseUrl=http://127.0.0.1:9", "--Sync:Pylon:ApiToken=t");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("links add: link: names a Helpdesk conversation, but Sync:Helpdesk is not configured", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_add_replaces_a_stored_link_and_remove_suggests_the_nearest_id()
    {
        Assert.Equal(0, (await Run("links add support-1 --pylon iss_1 --cord th_1")).ExitCode);

        var replaced = await Run("links add support-1 --pylon iss_1 --helpdesk tkt_1");
        var typo = await Run("links remove suport-1");
        var removed = await Run("links remove support-1");

        Assert.Contains("link support-1 replaced", replaced.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("did you mean support-1?", typo.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, removed.ExitCode);
    }

    [Theory]
    [InlineData("errors list", 0, "")]
    [InlineData("errors replay", 0, "nothing to replay")]
    [InlineData("errors replay 99", 2, "no outcome has id 99")]
    [InlineData("errors ack abc", 2, "'abc' is not an outcome id")]
    [InlineData("errors ack 99", 2, "no outcome has id 99")]
    public Task Errors_exit_with_the_documented_codes(string line, int code, string expected) => AssertExit(line, code, expected);

    [Theory]
    [InlineData("config check", 0, "")]
    [InlineData("config check --Sync:Links:0:Id=x --Sync:Links:0:PylonIssueId=iss_1", 2, "Sync:Links:0: a link names at least two systems")]
    public Task Config_check_exits_with_the_documented_codes(string line, int code, string expected) => AssertExit(line, code, expected);

    [Fact]
    public async Task A_state_store_that_cannot_be_opened_is_a_runtime_failure()
    {
        var blocker = Path.Combine(_worker.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "not a folder");

        var result = await _worker.RunAsync("status", $"--Sync:State:Path={Path.Combine(blocker, "sync.db")}");

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Run_stops_with_exit_0_on_SIGTERM()
    {
        using var worker = new RunningWorker(_worker.Start(["run", .. _worker.Defaults]));
        await worker.WaitForLineAsync(l => l.Contains("No link is configured", StringComparison.Ordinal));

        Assert.Equal(0, await worker.TerminateAsync());
    }

    [Fact]
    public async Task The_exit_code_table_is_the_same_in_help_in_the_README_and_in_the_code()
    {
        var help = await _worker.RunAsync("--help");
        var readme = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "README.md"));
        var section = readme[readme.IndexOf("Exit codes", StringComparison.Ordinal)..];
        var documented = ReadmeExitCodeRow().Matches(section).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.Equal(ExitCodes.Table.Select(t => t.Code), documented);
        foreach (var (code, meaning) in ExitCodes.Table)
        {
            Assert.Contains($"  {code,-5}{meaning}", help.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_setting_in_the_example_configuration_is_a_known_key()
    {
        foreach (var file in new[] { "config/appsettings.example.json", "config/appsettings.demo.json", "src/Sync.Worker/appsettings.json" })
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(Repo.Root, file)).Build();
            foreach (var (key, value) in configuration.AsEnumerable().Where(kv => kv.Value is not null))
            {
                Assert.True(ConfigurationSchema.Check(key) is null, $"{file}: {key}: {ConfigurationSchema.Check(key)}");
            }
        }
    }

    [Theory]
    [InlineData("Sync:Pylon:Budgets:list-messages", null)]
    [InlineData("Sync:Links:3:CordAgentUserIds:0", null)]
    [InlineData("Sync:Links:x:Id", "is a list")]
    [InlineData("Sync:State:Path", null)]
    [InlineData("Sync:State:Pth", "did you mean Sync:State:Path?")]
    [InlineData("Sync:Transport:Kind", "is a value")]
    [InlineData("Sync:Polling", "is a section")]
    [InlineData("Sync:Pylon", "is a section")]
    public void Setting_keys_are_checked_against_the_options_classes(string key, string? problem)
    {
        var result = ConfigurationSchema.Check(key);

        if (problem is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.Contains(problem, result, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Sync:Pylon:ApiToken", true)]
    [InlineData("Sync:Helpdesk:SessionToken", true)]
    [InlineData("Sync:Cord:Secret", true)]
    [InlineData("Sync:Pylon:WebhookSecret", true)]
    [InlineData("Sync:RabbitMq:Password", true)]
    [InlineData("Sync:State:ConnectionString", true)]
    [InlineData("Sync:Pylon:ApiTokenFile", false)]
    [InlineData("Sync:State:ConnectionStringFile", false)]
    [InlineData("Sync:Pylon:BaseUrl", false)]
    public void Secret_settings_are_known_by_name(string key, bool secret) => Assert.Equal(secret, ConfigurationSchema.IsSecret(key));

    private Task<WorkerResult> Run(string line, params string[] extra) => _worker.RunAsync([.. line.Split(' '), .. extra, .. _worker.Defaults]);

    private async Task AssertExit(string line, int code, string expected, params string[] extra)
    {
        var result = await Run(line, extra);

        Assert.True(code == result.ExitCode, $"'{line}' should exit {code}:\n{result}");
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
        if (code == ExitCodes.Usage)
        {
            Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^\| `?(\d+)`? \|", RegexOptions.Multiline)]
    private static partial Regex ReadmeExitCodeRow();

    public void Dispose() => _worker.Dispose();
}
