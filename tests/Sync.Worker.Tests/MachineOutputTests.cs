using System.Text.Json;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using Microsoft.Data.Sqlite;

namespace MessageSync.Worker.Tests;

/// <summary>Tool verbs answer on stdout (tables, or --json in the documented shape) and log on stderr only.</summary>
public sealed class MachineOutputTests : IDisposable
{
    private const string LongId = "a-link-id-long-enough-to-wrap-any-terminal-table-at-eighty-columns-0123456789-abcdefghijklmnopqrstuvw";
    private readonly WorkerFolder _worker = new();

    [Fact]
    public async Task Status_json_is_the_documented_shape_on_stdout_and_the_logs_go_to_stderr()
    {
        var canonical = await SeedAsync();

        var result = await Run("status", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("State store", result.Stderr, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(result.Stdout);
        var link = document.RootElement.GetProperty("links").EnumerateArray().Single();
        Assert.Equal(LongId, link.GetProperty("id").GetString());
        Assert.Equal(1, link.GetProperty("systems").GetProperty("pylon").GetProperty("messages").GetInt32());
        Assert.True(link.GetProperty("systems").GetProperty("pylon").TryGetProperty("lastPoll", out _));
        Assert.Equal(0, link.GetProperty("mirrored").GetInt32());
        Assert.Equal(0, link.GetProperty("outbox").GetProperty("pending").GetInt32());
        Assert.Equal(JsonValueKind.Null, link.GetProperty("outbox").GetProperty("oldestPendingAt").ValueKind);
        Assert.Equal(["parked", "unpropagatedRedaction", "faulted", "skipped", "heldDeletion", "possiblyWritten"], link.GetProperty("openOutcomes").EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, link.GetProperty("openOutcomes").GetProperty("parked").GetInt32());
        AssertOutcome(document.RootElement.GetProperty("outcomes").EnumerateArray().Single(), canonical);
        var pylon = document.RootElement.GetProperty("markers").GetProperty("pylon");
        Assert.True(pylon.GetProperty("keeps").GetBoolean());
        Assert.Equal("copy msg_9 read back with its marker", pylon.GetProperty("evidence").GetString());
        Assert.False(document.RootElement.GetProperty("markers").TryGetProperty("helpdesk", out _));
    }

    [Fact]
    public async Task Status_says_what_each_system_showed_about_keeping_our_marker()
    {
        await SeedAsync();

        var result = await Run("status");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Pylon data-sync-id marker: kept", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Helpdesk data-sync-id marker: not seen yet", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_list_json_is_the_documented_shape()
    {
        var canonical = await SeedAsync();

        var result = await Run("errors", "list", "--json");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Stdout);
        AssertOutcome(document.RootElement.GetProperty("outcomes").EnumerateArray().Single(), canonical);
    }

    [Fact]
    public async Task Links_list_json_lists_configured_and_stored_links_in_the_documented_shape()
    {
        await SeedAsync();

        var result = await Run("links", "list", "--json", "--Sync:Links:0:Id=from-config", "--Sync:Links:0:HelpdeskTicketId=tkt_1",
            "--Sync:Links:0:CordThreadId=th_1", "--Sync:Links:0:CordThreadCustomerVisible=true", "--Sync:Links:0:CordAgentUserIds:0=agent_1");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Stdout);
        var links = document.RootElement.GetProperty("links").EnumerateArray().ToList();
        Assert.Equal(["from-config", LongId], links.Select(l => l.GetProperty("id").GetString()));
        var config = links[0];
        Assert.Equal("config", config.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("pylonIssueId").ValueKind);
        Assert.Equal("tkt_1", config.GetProperty("helpdeskTicketId").GetString());
        Assert.Equal("th_1", config.GetProperty("cordThreadId").GetString());
        Assert.True(config.GetProperty("cordThreadCustomerVisible").GetBoolean());
        Assert.Equal("agent_1", config.GetProperty("cordAgentUserIds").EnumerateArray().Single().GetString());
        Assert.Equal("origin", config.GetProperty("deliverRepliesVia").GetString());
        Assert.Equal("store", links[1].GetProperty("source").GetString());
    }

    [Fact]
    public async Task Backfill_json_is_the_documented_summary()
    {
        var result = await Run("backfill", "--create", "--json");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Stdout);
        var root = document.RootElement;
        Assert.Equal("caughtUp", root.GetProperty("result").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        foreach (var count in new[] { "links", "changesDetected", "readFailures", "faulted", "pending" })
        {
            Assert.Equal(0, root.GetProperty(count).GetInt32());
        }

        Assert.True(root.GetProperty("elapsedSeconds").GetDouble() >= 0);
        Assert.Contains("0 link(s)", root.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_logs_never_mix_into_the_json_answer()
    {
        await SeedAsync();

        var result = await Run("status", "--json", "--Sync:Logging:Format=Json");

        using var document = JsonDocument.Parse(result.Stdout);
        Assert.True(document.RootElement.TryGetProperty("links", out _));
        Assert.All(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => JsonDocument.Parse(line).Dispose());
    }

    [Theory]
    [InlineData("status")]
    [InlineData("links list")]
    [InlineData("errors list")]
    public async Task Tables_written_to_a_pipe_carry_no_colour_codes_and_are_not_wrapped(string verb)
    {
        await SeedAsync();

        // A terminal type that invites colour: the pipe alone must switch it off.
        var result = await _worker.RunAsync([.. verb.Split(' '), .. _worker.Defaults], new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["COLORTERM"] = "truecolor" });

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain('\u001b', result.Stdout);
        var lines = result.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains(verb == "errors list" ? "ticket closed, waiting for it to reopen" : LongId, StringComparison.Ordinal));
        if (verb == "links list")
        {
            // Border, header, rule, one row, border: a wrapped row would add lines.
            Assert.Equal(5, lines.Count(l => l.Length > 0));
        }
    }

    private Task<WorkerResult> Run(params string[] args) => _worker.RunAsync([.. args, .. _worker.Defaults]);

    /// <summary>A store with one link polled once in Pylon and one parked change, as a running worker would leave it.</summary>
    private async Task<Guid> SeedAsync()
    {
        var canonical = Guid.CreateVersion7();
        using var store = new StateStore(new SqliteDialect(_worker.StatePath, TimeSpan.FromSeconds(30)));
        await store.UpsertLinkAsync(new ConversationLink { Id = LongId, PylonIssueId = "iss_1", CordThreadId = "th_1" });
        await store.CommitObservationAsync(new ObservationCommit
        {
            LinkId = LongId,
            System = SystemId.Pylon,
            Snapshots = [new SnapshotEntry("msg_1", canonical, "hash")],
        });
        await store.RecordOutcomeAsync(new NewOutcome(LongId, canonical, SystemId.Helpdesk, OutcomeKind.Parked, "ticket closed, waiting for it to reopen", ChangeKind.Created));
        await store.RecordMarkerKeepingAsync(SystemId.Pylon, keeps: true, "copy msg_9 read back with its marker");
        SqliteConnection.ClearAllPools();
        return canonical;
    }

    private static void AssertOutcome(JsonElement outcome, Guid canonical)
    {
        Assert.True(outcome.GetProperty("id").GetInt64() > 0);
        Assert.Equal(LongId, outcome.GetProperty("link").GetString());
        Assert.Equal("helpdesk", outcome.GetProperty("target").GetString());
        Assert.Equal("parked", outcome.GetProperty("kind").GetString());
        Assert.Equal("created", outcome.GetProperty("change").GetString());
        Assert.Equal(canonical, outcome.GetProperty("message").GetGuid());
        Assert.Equal("ticket closed, waiting for it to reopen", outcome.GetProperty("reason").GetString());
        Assert.True(outcome.GetProperty("since").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
    }

    public void Dispose() => _worker.Dispose();
}
