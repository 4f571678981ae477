using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MessageSync.Simulators.Tests;

public sealed class CordSimulatorTests : IAsyncLifetime
{
    private readonly ManualTime _time = new(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private SimulatorHost _sims = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _sims = await SimulatorHost.StartAsync(new SimulatorOptions { Time = _time });
        _http = Http.Client(_sims.CordUrl, _sims.MintCordToken(TimeSpan.FromHours(1)));
        _sims.Cord.CreateThread("th_1");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sims.DisposeAsync();
    }

    private static string Create(string id, string text = "hello") =>
        $$$"""{"id":"{{{id}}}","authorID":"u1","content":[{"type":"p","children":[{"text":"{{{text}}}","bold":true},{"type":"mention","user":{"id":"u2"},"children":[{"text":"@Bo"}]}]},{"type":"bullet","children":[{"text":"item"}]}],"metadata":{"kind":"InternalNote","n":1}}""";

    private async Task<JsonArray> ListThread(string query = "?sortDirection=ascending")
    {
        var r = await _http.GetAsync(new Uri($"v1/threads/th_1/messages{query}", UriKind.Relative));
        var json = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Contracts.AssertValid(Contracts.CordThreadMessages(), json);
        return JsonNode.Parse(json)!.AsArray();
    }

    [Fact]
    public async Task Created_message_reads_back_per_core_message_data_with_derived_plaintext()
    {
        Contracts.AssertValid(Contracts.CordRequest("CreateMessageVariables"), Create("m1"));
        var created = await _http.PostAsync(new Uri("v1/threads/th_1/messages", UriKind.Relative), Http.Json(Create("m1")));
        var get = await _http.GetAsync(new Uri("v1/threads/th_1/messages/m1", UriKind.Relative));
        var json = await get.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("m1", (await Http.Body(created))["messageID"]!.GetValue<string>());
        Contracts.AssertValid(Contracts.Cord("CoreMessageData"), json);
        var m = JsonNode.Parse(json)!;
        Assert.Equal("hello@Bo\nitem", m["plaintext"]!.GetValue<string>());
        Assert.Equal("InternalNote", m["metadata"]!["kind"]!.GetValue<string>());
        Assert.Equal("sim_group", m["organizationID"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_second_create_with_the_same_id_is_rejected()
    {
        await _http.PostAsync(new Uri("v1/threads/th_1/messages", UriKind.Relative), Http.Json(Create("dup")));

        var again = await _http.PostAsync(new Uri("v1/threads/th_1/messages", UriKind.Relative), Http.Json(Create("dup", "other")));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("message_already_exists", (await Http.Body(again))["error"]!.GetValue<string>());
        Assert.Equal("hello@Bo\nitem", Assert.Single(_sims.Cord.GetMessages("th_1")).Plaintext);
    }

    [Theory]
    [InlineData("""{"authorID":"u1","content":[{"type":"paragraph","children":[]}]}""")]
    [InlineData("""{"authorID":"u1","content":[{"type":"p","children":[{"text":"x","colour":"red"}]}]}""")]
    [InlineData("""{"authorID":"u1","content":[{"type":"mention","children":[]}]}""")]
    [InlineData("""{"content":[]}""")]
    [InlineData("""{"authorID":"u1","content":[],"unknown":1}""")]
    [InlineData("""{"authorID":"u1","content":[],"metadata":{"nested":{"a":1}}}""")]
    [InlineData("""{"authorID":1,"content":[]}""")]
    [InlineData("""{"authorID":"u1",""")]
    public async Task Bodies_that_break_the_cord_schema_are_400(string body)
    {
        var r = await _http.PostAsync(new Uri("v1/threads/th_1/messages", UriKind.Relative), Http.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Empty(_sims.Cord.GetMessages("th_1"));
    }

    [Fact]
    public async Task An_unknown_thread_needs_create_thread()
    {
        var without = await _http.PostAsync(new Uri("v1/threads/th_new/messages", UriKind.Relative), Http.Json(Create("a")));
        var with = await _http.PostAsync(new Uri("v1/threads/th_new/messages", UriKind.Relative),
            Http.Json("""{"id":"b","authorID":"u1","content":[],"createThread":{"name":"New","url":"https://x/1","organizationID":"org_1"}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Equal("org_1", Assert.Single(_sims.Cord.GetState(), t => t.Id == "th_new").GroupId);
    }

    [Fact]
    public async Task Put_deleted_true_sets_deleted_timestamp_and_the_message_still_lists_and_false_undeletes()
    {
        await _http.PostAsync(new Uri("v1/threads/th_1/messages", UriKind.Relative), Http.Json(Create("m1")));
        _time.Advance(TimeSpan.FromMinutes(1));

        var put = await _http.PutAsync(new Uri("v1/threads/th_1/messages/m1", UriKind.Relative), Http.Json("""{"deleted":true}"""));
        var listed = await ListThread();
        var undo = await _http.PutAsync(new Uri("v1/threads/th_1/messages/m1", UriKind.Relative), Http.Json("""{"deleted":false}"""));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var m = Assert.Single(listed)!;
        Assert.Equal(_time.GetUtcNow(), DateTimeOffset.Parse(m["deletedTimestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.OK, undo.StatusCode);
        Assert.Null(_sims.Cord.GetMessages("th_1")[0].DeletedTimestamp);
    }

    [Fact]
    public async Task Put_edits_content_reactions_and_attachments_and_delete_removes_for_good()
    {
        var file = _sims.Cord.UploadFile("a.png", "image/png", 10);
        await _http.PostAsync(new Uri("v1/threads/th_1/messages", UriKind.Relative), Http.Json(Create("m1")));
        _time.Advance(TimeSpan.FromSeconds(30));

        var edit = $$"""{"content":[{"type":"p","children":[{"text":"see "},{"type":"link","url":"https://x.y","children":[{"text":"x"}]}]}],"addReactions":[{"reaction":"👍","userID":"u2"}],"addAttachments":[{"type":"file","id":"{{file.Id}}"}]}""";
        Contracts.AssertValid(Contracts.CordRequest("UpdateMessageVariables"), edit);
        Assert.Equal(HttpStatusCode.OK, (await _http.PutAsync(new Uri("v1/threads/th_1/messages/m1", UriKind.Relative), Http.Json(edit))).StatusCode);
        var edited = _sims.Cord.GetMessages("th_1")[0];
        var both = await _http.PutAsync(new Uri("v1/threads/th_1/messages/m1", UriKind.Relative), Http.Json("""{"addReactions":[{"reaction":"👍","userID":"u3"}],"removeReactions":[{"reaction":"👍","userID":"u3"}]}"""));
        var removed = await _http.PutAsync(new Uri("v1/threads/th_1/messages/m1", UriKind.Relative), Http.Json($$"""{"removeReactions":[{"reaction":"👍","userID":"u2"}],"removeAttachments":[{"type":"file","id":"{{file.Id}}"}]}"""));
        var afterRemove = _sims.Cord.GetMessages("th_1")[0];
        var deleted = await _http.DeleteAsync(new Uri("v1/threads/th_1/messages/m1", UriKind.Relative));

        Assert.Equal("see x", edited.Plaintext);
        Assert.Equal(_time.GetUtcNow(), edited.UpdatedTimestamp);
        Assert.Equal("👍", Assert.Single(edited.Reactions).Reaction);
        Assert.Equal(["file", "link_preview"], edited.Attachments.Select(a => a.Type).Order());
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Empty(afterRemove.Reactions);
        Assert.Equal("link_preview", Assert.Single(afterRemove.Attachments).Type);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Empty(await ListThread());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(new Uri("v1/threads/th_1/messages/m1", UriKind.Relative))).StatusCode);
        Assert.True(Assert.Single(_sims.Cord.GetMessages("th_1")).HardDeleted);
    }

    [Fact]
    public async Task Wrong_signature_wrong_app_or_expired_token_is_401()
    {
        using var forged = Http.Client(_sims.CordUrl, CordSimulator.MintToken(new SimulatorOptions { CordSecret = "another-secret-0123456789abcdef0123456789abcdef" }));
        using var otherApp = Http.Client(_sims.CordUrl, CordSimulator.MintToken(new SimulatorOptions { CordAppId = "other-app", Time = _time }));
        using var expired = Http.Client(_sims.CordUrl, _sims.MintCordToken(TimeSpan.FromSeconds(30)));
        _time.Advance(TimeSpan.FromMinutes(1));

        foreach (var client in new[] { forged, otherApp, expired })
        {
            var r = await client.GetAsync(new Uri("v1/messages", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
    }

    [Fact]
    public async Task Ten_thousand_messages_page_fully_with_tokens()
    {
        for (var i = 0; i < 10_000; i++)
        {
            _sims.Cord.AddMessage("th_1", "u1", $"m{i}");
        }

        using var http = Http.Client(_sims.CordUrl, _sims.MintCordToken(TimeSpan.FromHours(1)));
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await Http.Body(await http.GetAsync(new Uri($"v1/messages?limit=700{(token is null ? "" : "&token=" + Uri.EscapeDataString(token))}", UriKind.Relative)));
            Assert.Equal(10_000, page["pagination"]!["total"]!.GetValue<int>());
            seen.AddRange(page["messages"]!.AsArray().Select(m => m!["plaintext"]!.GetValue<string>()));
            token = page["pagination"]!["token"]?.GetValue<string>();
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => $"m{i}"), seen);
    }

    [Theory]
    [InlineData("", "m2", "m0")]
    [InlineData("?sortDirection=descending", "m2", "m0")]
    [InlineData("?sortDirection=ascending", "m0", "m2")]
    public async Task A_thread_reads_as_one_plain_array_newest_first_unless_asked(string query, string first, string last)
    {
        for (var i = 0; i < 3; i++)
        {
            _sims.Cord.AddMessage("th_1", "u1", $"m{i}");
        }

        var listed = await ListThread(query);

        Assert.Equal(3, listed.Count);
        Assert.Equal(first, listed[0]!["plaintext"]!.GetValue<string>());
        Assert.Equal(last, listed[^1]!["plaintext"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("?limit=10")]
    [InlineData("?token=abc")]
    [InlineData("?sortDirection=ascending&limit=10")]
    [InlineData("?sortDirection=ascending&token=abc")]
    [InlineData("?sortDirection=sideways")]
    [InlineData("?sortDirection=ascending&sortDirection=descending")]
    public async Task A_thread_read_with_an_undocumented_or_invalid_parameter_is_refused_as_an_unknown_field(string query)
    {
        _sims.Cord.AddMessage("th_1", "u1", "m0");

        var r = await _http.GetAsync(new Uri($"v1/threads/th_1/messages{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("invalid_request", (await Http.Body(r))["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Thread_message_added_webhook_is_signed_as_cord_signs_it()
    {
        var received = new TaskCompletionSource<(string Body, string Timestamp, string Signature)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            received.TrySetResult((await reader.ReadToEndAsync(), ctx.Request.Headers["X-Cord-Timestamp"].ToString(), ctx.Request.Headers["X-Cord-Signature"].ToString()));
            return Results.Ok();
        });
        await receiver.StartAsync();
        var hook = new Uri(receiver.Urls.First() + "/hook");
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { CordWebhookUrl = hook });
        sims.Cord.CreateThread("th_w");

        sims.Cord.AddMessage("th_w", "customer_1", "hello from the widget", "w1");
        var (body, timestamp, signature) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SimulatorDefaults.CordSecret), Encoding.UTF8.GetBytes($"{timestamp}:{body}")));
        Assert.Equal(expected, signature);
        var payload = JsonNode.Parse(body)!;
        Assert.Equal("thread-message-added", payload["type"]!.GetValue<string>());
        Assert.Equal(SimulatorDefaults.CordAppId, payload["applicationID"]!.GetValue<string>());
        Assert.Equal("w1", payload["event"]!["message"]!["id"]!.GetValue<string>());
        Assert.Equal("th_w", payload["event"]!["thread"]!["id"]!.GetValue<string>());
        Contracts.AssertValid(Contracts.Cord("CoreMessageData"), payload["event"]!["message"]!.ToJsonString());
    }
}
