using System.Net;
using System.Text.Json.Nodes;

namespace MessageSync.Simulators.Tests;

public sealed class PylonSimulatorTests : IAsyncLifetime
{
    private readonly ManualTime _time = new(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private SimulatorHost _sims = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _sims = await SimulatorHost.StartAsync(new SimulatorOptions { Time = _time });
        _http = Http.Client(_sims.PylonUrl, SimulatorDefaults.PylonToken);
        _sims.Pylon.CreateIssue("iss_1", "contact_1", "c@example.com", "Carla");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sims.DisposeAsync();
    }

    [Fact]
    public async Task Issue_search_names_the_issues_with_a_message_after_the_time_page_by_page_and_a_redaction_does_not_move_them()
    {
        _sims.Pylon.CreateIssue("iss_2", "contact_1", "c@example.com", "Carla");
        _sims.Pylon.CreateIssue("iss_3", "contact_1", "c@example.com", "Carla");
        var before = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(5));
        var asked = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>new</p>");
        _sims.Pylon.AddMessage("iss_3", SimMessageKind.Customer, "<p>new too</p>");
        var since = Rfc3339(before.AddMinutes(1));

        var first = await SearchAsync($$$"""{"filter":{"field":"latest_message_activity_at","operator":"time_is_after","value":"{{{since}}}"},"limit":1}""");
        var cursor = (string)first["pagination"]!["cursor"]!;
        var second = await SearchAsync($$$"""{"filter":{"field":"latest_message_activity_at","operator":"time_is_after","value":"{{{since}}}"},"limit":1,"cursor":"{{{cursor}}}"}""");

        Assert.Equal(["iss_1"], Ids(first));
        Assert.True((bool)first["pagination"]!["has_next_page"]!);
        Assert.Equal(["iss_3"], Ids(second));
        Assert.False((bool)second["pagination"]!["has_next_page"]!);
        Assert.Equal(before.AddMinutes(5), DateTimeOffset.Parse((string)first["data"]![0]!["latest_message_time"]!, System.Globalization.CultureInfo.InvariantCulture));

        // A redaction later: Pylon documents no time that moves with it, so the search must not be relied on to show it.
        _time.Advance(TimeSpan.FromMinutes(5));
        var later = Rfc3339(_time.GetUtcNow().AddSeconds(-1));
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync(new Uri($"issues/iss_1/messages/{asked.Id}/redact", UriKind.Relative), null)).StatusCode);
        var afterRedaction = await SearchAsync($$$"""{"filter":{"field":"","operator":"or","subfilters":[{"field":"latest_message_activity_at","operator":"time_is_after","value":"{{{later}}}"},{"field":"updated_at","operator":"time_is_after","value":"{{{later}}}"}]}}""");
        Assert.Empty(Ids(afterRedaction));
    }

    private async Task<JsonNode> SearchAsync(string body)
    {
        var r = await _http.PostAsync(new Uri("issues/search", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var json = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, json);
        Contracts.AssertValid(Contracts.PylonOperation("/issues/search", "post", "200"), json);
        return JsonNode.Parse(json)!;
    }

    private static List<string> Ids(JsonNode page) => [.. page["data"]!.AsArray().Select(i => (string)i!["id"]!)];

    private static string Rfc3339(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task List_messages_matches_the_documented_response_schema_field_for_field()
    {
        var customer = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>help</p>", fileUrls: ["https://f/1.png"]);
        _sims.Pylon.AddMessage("iss_1", SimMessageKind.Agent, "<p>on it</p>");
        _sims.Pylon.AddMessage("iss_1", SimMessageKind.InternalNote, "<p>internal</p>");

        var r = await _http.GetAsync(new Uri("issues/iss_1/messages", UriKind.Relative));
        var json = await r.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Contracts.AssertValid(Contracts.PylonOperation("/issues/{id}/messages", "get", "200"), json);
        var data = JsonNode.Parse(json)!["data"]!.AsArray();
        Assert.Equal(3, data.Count);
        Assert.Equal(customer.Id, data[0]!["id"]!.GetValue<string>());
        Assert.Equal("contact_1", data[0]!["author"]!["contact"]!["id"]!.GetValue<string>());
        Assert.False(data[0]!.AsObject().ContainsKey("thread_id"));
        Assert.True(data[2]!["is_private"]!.GetValue<bool>());
        Assert.NotNull(data[2]!["thread_id"]);
        Assert.True(DateTimeOffset.TryParse(data[0]!["timestamp"]!.GetValue<string>(), out _));
    }

    [Fact]
    public async Task Reply_is_customer_visible_and_notes_go_into_the_thread_they_name()
    {
        var first = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>q</p>");
        var reply = await _http.PostAsync(new Uri("issues/iss_1/reply", UriKind.Relative), Http.Json(new JsonObject { ["body_html"] = "<p>a</p>", ["message_id"] = first.Id }));
        Contracts.AssertValid(Contracts.PylonOperation("/issues/{id}/reply", "post", "200"), await reply.Content.ReadAsStringAsync());
        var created = await _http.PostAsync(new Uri("issues/iss_1/threads", UriKind.Relative), Http.Json(new JsonObject { ["name"] = "Sync" }));
        Contracts.AssertValid(Contracts.PylonOperation("/issues/{id}/threads", "post", "200"), await created.Content.ReadAsStringAsync());
        var threadId = (await Http.Body(created))["data"]!["id"]!.GetValue<string>();
        var note = await _http.PostAsync(new Uri("issues/iss_1/note", UriKind.Relative), Http.Json(new JsonObject { ["body_html"] = "<p>n</p>", ["thread_id"] = threadId }));
        Contracts.AssertValid(Contracts.PylonOperation("/issues/{id}/note", "post", "200"), await note.Content.ReadAsStringAsync());
        var noteId = (await Http.Body(note))["data"]!["id"]!.GetValue<string>();
        var second = await _http.PostAsync(new Uri("issues/iss_1/note", UriKind.Relative), Http.Json(new JsonObject { ["body_html"] = "<p>n2</p>", ["message_id"] = noteId }));
        var threads = await _http.GetAsync(new Uri("issues/iss_1/threads", UriKind.Relative));
        Contracts.AssertValid(Contracts.PylonOperation("/issues/{id}/threads", "get", "200"), await threads.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var messages = _sims.Pylon.GetMessages("iss_1");
        Assert.False(messages[1].IsPrivate);
        Assert.True(messages[1].ReachedCustomer);
        var thread = Assert.Single(_sims.Pylon.GetThreads("iss_1"));
        Assert.Equal("Sync", thread.Name);
        Assert.All(messages.Skip(2), m => Assert.Equal(thread.Id, m.ThreadId));
        Assert.All(messages.Skip(2), m => Assert.True(m.IsPrivate));
    }

    // The requests the documentation refuses, one case each (issue 12: the simulator used to accept them).

    [Fact]
    public async Task A_reply_whose_custom_source_lacks_its_required_external_id_is_refused()
    {
        var m = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>q</p>");
        await AssertRefusedAsync("reply", $$$"""{"body_html":"<p>a</p>","message_id":"{{{m.Id}}}","custom_source":{"created_at":"2025-01-01T00:00:00Z"}}""");
        await AssertAcceptedAsync("reply", $$$"""{"body_html":"<p>a</p>","message_id":"{{{m.Id}}}","custom_source":{"external_id":"ext_1"}}""");
    }

    [Fact]
    public async Task A_reply_whose_email_info_to_emails_is_a_string_is_refused()
    {
        var m = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>q</p>");
        await AssertRefusedAsync("reply", $$$"""{"body_html":"<p>a</p>","message_id":"{{{m.Id}}}","email_info":{"to_emails":"c@example.com"}}""");
        await AssertAcceptedAsync("reply", $$$"""{"body_html":"<p>a</p>","message_id":"{{{m.Id}}}","email_info":{"to_emails":["c@example.com"]}}""");
    }

    [Theory]
    [InlineData("reply")]
    [InlineData("note")]
    public async Task A_body_sent_as_text_plain_is_refused(string endpoint)
    {
        var m = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>q</p>");
        var thread = _sims.Pylon.CreateThread("iss_1", "Sync");
        var json = $$"""{"body_html":"<p>a</p>","message_id":"{{m.Id}}","thread_id":"{{thread.Id}}"}""".Replace(endpoint == "reply" ? $",\"thread_id\":\"{thread.Id}\"" : $"\"message_id\":\"{m.Id}\",", "", StringComparison.Ordinal);

        var r = await _http.PostAsync(new Uri($"issues/iss_1/{endpoint}", UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Contracts.AssertValid(Contracts.PylonOperation($"/issues/{{id}}/{endpoint}", "post", "400"), await r.Content.ReadAsStringAsync());
        Assert.Single(_sims.Pylon.GetMessages("iss_1"));
        await AssertAcceptedAsync(endpoint, json);
    }

    [Theory]
    [InlineData("reply")]
    [InlineData("note")]
    public async Task A_reply_or_note_as_an_unknown_user_is_refused_and_as_a_known_one_is_posted_as_them(string endpoint)
    {
        var m = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>q</p>");
        var thread = _sims.Pylon.CreateThread("iss_1", "Sync");
        var target = endpoint == "reply" ? $"\"message_id\":\"{m.Id}\"" : $"\"thread_id\":\"{thread.Id}\"";
        _sims.Pylon.AddUser("usr_dana", "Dana Agent", "dana@example.com");

        await AssertRefusedAsync(endpoint, $$"""{"body_html":"<p>a</p>",{{target}},"user_id":"usr_nobody"}""");
        await AssertAcceptedAsync(endpoint, $$"""{"body_html":"<p>a</p>",{{target}},"user_id":"usr_dana"}""");

        var written = _sims.Pylon.GetMessages("iss_1")[^1];
        Assert.Equal(("usr_dana", "Dana Agent", "dana@example.com"), (written.UserId, written.AuthorName, written.AuthorEmail));
    }

    [Fact]
    public async Task A_note_with_neither_thread_id_nor_message_id_is_refused()
    {
        await AssertRefusedAsync("note", """{"body_html":"<p>n</p>"}""");
        await AssertRefusedAsync("note", """{"body_html":"<p>n</p>","thread_name":"Sync"}""");
        Assert.Empty(_sims.Pylon.GetThreads("iss_1"));
    }

    private async Task AssertRefusedAsync(string endpoint, string json)
    {
        var before = _sims.Pylon.GetMessages("iss_1").Count;
        var r = await _http.PostAsync(new Uri($"issues/iss_1/{endpoint}", UriKind.Relative), Http.Json(json));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{endpoint} {json} answered {(int)r.StatusCode}: {body}");
        Contracts.AssertValid(Contracts.PylonOperation($"/issues/{{id}}/{endpoint}", "post", "400"), body);
        Assert.Equal(before, _sims.Pylon.GetMessages("iss_1").Count);
    }

    private async Task AssertAcceptedAsync(string endpoint, string json)
    {
        var r = await _http.PostAsync(new Uri($"issues/iss_1/{endpoint}", UriKind.Relative), Http.Json(json));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{endpoint} {json} answered {(int)r.StatusCode}: {body}");
        Contracts.AssertValid(Contracts.PylonOperation($"/issues/{{id}}/{endpoint}", "post", "200"), body);
    }

    [Fact]
    public async Task Eleventh_reply_within_a_minute_on_one_token_gets_429_with_retry_after()
    {
        var first = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>q</p>");
        var body = new JsonObject { ["body_html"] = "<p>a</p>", ["message_id"] = first.Id };
        for (var i = 0; i < 10; i++)
        {
            var ok = await _http.PostAsync(new Uri("issues/iss_1/reply", UriKind.Relative), Http.Json(body));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal((9 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), ok.Headers.GetValues("X-Rate-Limit-Remaining").Single());
        }

        var limited = await _http.PostAsync(new Uri("issues/iss_1/reply", UriKind.Relative), Http.Json(body));

        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("10", limited.Headers.GetValues("X-Rate-Limit-Limit").Single());
        Assert.Equal("0", limited.Headers.GetValues("X-Rate-Limit-Remaining").Single());
        Assert.True(limited.Headers.Contains("X-Rate-Limit-Reset"));
        Contracts.AssertValid(Contracts.Pylon("ErrorApiResponseBody"), await limited.Content.ReadAsStringAsync());
        Assert.Equal(11, _sims.Pylon.GetMessages("iss_1").Count);
        Assert.Equal(1, _sims.Pylon.GetStats(PylonSimulator.Reply).RateLimited);

        // Another endpoint has its own budget; the next window allows replies again.
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri("issues/iss_1/messages", UriKind.Relative))).StatusCode);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync(new Uri("issues/iss_1/reply", UriKind.Relative), Http.Json(body))).StatusCode);
    }

    [Fact]
    public async Task Scaled_limits_apply_per_minute_divided_by_n()
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { Time = _time, RateLimits = RateLimitMode.Scaled, RateLimitScale = 60 });
        sims.Pylon.CreateIssue("iss_s");
        using var http = Http.Client(sims.PylonUrl, SimulatorDefaults.PylonToken);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("issues/iss_s/messages", UriKind.Relative))).StatusCode);
        }

        Assert.Equal((HttpStatusCode)429, (await http.GetAsync(new Uri("issues/iss_s/messages", UriKind.Relative))).StatusCode);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("issues/iss_s/messages", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Redact_removes_the_content_for_good_and_returns_the_message()
    {
        var m = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>my card is 4111 1111</p>", fileUrls: ["https://f/card.png"]);

        var r = await _http.PostAsync(new Uri($"issues/iss_1/messages/{m.Id}/redact", UriKind.Relative), null);
        var json = await r.Content.ReadAsStringAsync();
        using var state = Http.Client(_sims.PylonUrl);
        var stateText = await state.GetStringAsync(new Uri("_sim/state", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Contracts.AssertValid(Contracts.PylonOperation("/issues/{id}/messages/{message_id}/redact", "post", "200"), json);
        Assert.Equal(m.Id, JsonNode.Parse(json)!["data"]!["id"]!.GetValue<string>());
        Assert.DoesNotContain("4111", stateText, StringComparison.Ordinal);
        Assert.DoesNotContain("card.png", stateText, StringComparison.Ordinal);
        Assert.Contains("\"redacted\":true", stateText, StringComparison.Ordinal);
        Assert.True(_sims.Pylon.GetMessages("iss_1")[0].Redacted);
    }

    [Fact]
    public async Task Delete_hides_the_message_from_the_list_but_state_keeps_it()
    {
        var m = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>x</p>");

        var r = await _http.DeleteAsync(new Uri($"issues/iss_1/messages/{m.Id}", UriKind.Relative));
        var list = await Http.Body(await _http.GetAsync(new Uri("issues/iss_1/messages", UriKind.Relative)));
        var again = await _http.DeleteAsync(new Uri($"issues/iss_1/messages/{m.Id}", UriKind.Relative));

        Contracts.AssertValid(Contracts.PylonOperation("/issues/{id}/messages/{message_id}", "delete", "200"), await r.Content.ReadAsStringAsync());
        Assert.Empty(list["data"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.True(Assert.Single(_sims.Pylon.GetMessages("iss_1")).Deleted);
    }

    [Theory]
    [InlineData("{not json", HttpStatusCode.BadRequest)]
    [InlineData("""{"message_id":"m"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"body_html":5,"message_id":"m"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"body_html":"<p/>"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"body_html":"<p/>","message_id":"MSG","user_id":"u","contact_id":"contact_1"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"body_html":"<p/>","message_id":"MSG","attachment_urls":"x"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"body_html":"<p/>","message_id":"unknown"}""", HttpStatusCode.NotFound)]
    public async Task Invalid_reply_bodies_are_rejected_with_the_documented_error_body(string body, HttpStatusCode expected)
    {
        var m = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>q</p>");

        var r = await _http.PostAsync(new Uri("issues/iss_1/reply", UriKind.Relative), Http.Json(body.Replace("MSG", m.Id, StringComparison.Ordinal)));

        Assert.Equal(expected, r.StatusCode);
        Contracts.AssertValid(Contracts.PylonOperation("/issues/{id}/reply", "post", ((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture)), await r.Content.ReadAsStringAsync());
        Assert.Single(_sims.Pylon.GetMessages("iss_1"));
    }

    [Fact]
    public async Task Unknown_issue_is_404_and_a_missing_or_wrong_token_is_401()
    {
        using var anonymous = Http.Client(_sims.PylonUrl);
        using var wrong = Http.Client(_sims.PylonUrl, "nope");

        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(new Uri("issues/nope/messages", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PostAsync(new Uri("issues/iss_1/note", UriKind.Relative), Http.Json("""{"body_html":"x","thread_id":"nope"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("issues/iss_1/messages", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(new Uri("issues/iss_1/messages", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Ten_thousand_messages_page_fully_and_in_order()
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off });
        sims.Pylon.CreateIssue("big");
        for (var i = 0; i < 10_000; i++)
        {
            sims.Pylon.AddMessage("big", SimMessageKind.Customer, $"<p>{i}</p>");
        }

        using var http = Http.Client(sims.PylonUrl, SimulatorDefaults.PylonToken);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Http.Body(await http.GetAsync(new Uri($"issues/big/messages?limit=1000{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", UriKind.Relative)));
            seen.AddRange(page["data"]!.AsArray().Select(m => m!["message_html"]!.GetValue<string>()));
            cursor = page["pagination"]!["has_next_page"]!.GetValue<bool>() ? page["pagination"]!["cursor"]!.GetValue<string>() : null;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => $"<p>{i}</p>"), seen);
    }
}
