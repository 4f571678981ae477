using System.Net;
using System.Text.Json.Nodes;

namespace MessageSync.Simulators.Tests;

public sealed class HelpdeskSimulatorTests : IAsyncLifetime
{
    private readonly ManualTime _time = new(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private SimulatorHost _sims = null!;

    public async Task InitializeAsync()
    {
        _sims = await SimulatorHost.StartAsync(new SimulatorOptions { Time = _time });
        _sims.Helpdesk.CreateTicket("tkt_1");
    }

    public async Task DisposeAsync() => await _sims.DisposeAsync();

    private HttpClient As(string role, TimeSpan? lifetime = null) => Http.Client(_sims.HelpdeskUrl, _sims.MintHelpdeskToken(role, lifetime));

    private static StringContent Message(string ticket, string type, bool? sendEmail = null, JsonObject? extra = null)
    {
        var o = new JsonObject { ["ticket_id"] = ticket, ["type"] = type, ["content"] = "<p>hi</p>" };
        if (sendEmail is not null)
        {
            o["send_email"] = sendEmail;
        }

        foreach (var (k, v) in extra ?? [])
        {
            o[k] = v?.DeepClone();
        }

        return Http.Json(o);
    }

    [Fact]
    public async Task Create_returns_the_documented_camel_case_message_and_only_a_response_with_email_on_emails()
    {
        using var agent = As("agent");
        var created = await agent.PostAsync(new Uri("helpdesk/api/messages", UriKind.Relative), Message("tkt_1", "response", extra: new JsonObject { ["ccs"] = new JsonArray(new JsonObject { ["email"] = "a@b.c", ["name"] = "A" }) }));
        await agent.PostAsync(new Uri("helpdesk/api/messages", UriKind.Relative), Message("tkt_1", "response", sendEmail: false));
        await agent.PostAsync(new Uri("helpdesk/api/messages", UriKind.Relative), Message("tkt_1", "note"));
        var body = (await Http.Body(created)).AsObject();
        var fetched = await Http.Body(await agent.GetAsync(new Uri($"helpdesk/api/messages/{body["id"]}", UriKind.Relative)));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["id", "ticketId", "type", "content", "textContent", "authorId", "attachments", "ccs", "createdAt", "updatedAt"], body.Select(kv => kv.Key));
        Assert.Equal("agent_sim", body["authorId"]!.GetValue<string>());
        Assert.Equal(body.ToJsonString(), fetched.ToJsonString());
        Assert.Equal(body["id"]!.GetValue<string>(), Assert.Single(_sims.Helpdesk.EmailsSent).MessageId);
    }

    [Fact]
    public async Task A_message_to_a_closed_ticket_gets_403_ticket_closed()
    {
        _sims.Helpdesk.CloseTicket("tkt_1");
        using var agent = As("agent");

        var r = await agent.PostAsync(new Uri("helpdesk/api/messages", UriKind.Relative), Message("tkt_1", "note"));

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Equal("TICKET_CLOSED", (await Http.Body(r))["error"]!["code"]!.GetValue<string>());
        Assert.Empty(_sims.Helpdesk.GetMessages("tkt_1"));
    }

    [Fact]
    public async Task Closing_through_ticket_update_is_system_only()
    {
        using var agent = As("admin");

        var r = await agent.PostAsync(new Uri("helpdesk/api/messages", UriKind.Relative), Message("tkt_1", "response", extra: new JsonObject { ["ticket_update"] = new JsonObject { ["status"] = "closed" } }));

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Equal("CLOSED_STATUS_SYSTEM_ONLY", (await Http.Body(r))["error"]!["code"]!.GetValue<string>());
        Assert.Equal("open", _sims.Helpdesk.GetTicket("tkt_1").Status);
        Assert.Empty(_sims.Helpdesk.EmailsSent);
    }

    [Fact]
    public async Task An_expired_token_is_401_and_a_viewer_may_read_but_not_create()
    {
        using var expired = As("agent", TimeSpan.FromMinutes(5));
        _time.Advance(TimeSpan.FromMinutes(6));
        using var viewer = As("viewer");
        using var forged = Http.Client(_sims.HelpdeskUrl, HelpdeskSimulator.MintToken(new SimulatorOptions { HelpdeskJwtSecret = "other-secret-0123456789abcdef0123456789" }));

        var late = await expired.GetAsync(new Uri("helpdesk/api/messages?ticket_id=tkt_1", UriKind.Relative));
        var read = await viewer.GetAsync(new Uri("helpdesk/api/messages?ticket_id=tkt_1", UriKind.Relative));
        var write = await viewer.PostAsync(new Uri("helpdesk/api/messages", UriKind.Relative), Message("tkt_1", "note"));

        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Equal("UNAUTHORIZED", (await Http.Body(late))["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(new Uri("helpdesk/api/messages?ticket_id=tkt_1", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("FORBIDDEN", (await Http.Body(write))["error"]!["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("helpdesk/api/messages")]
    [InlineData("helpdesk/api/messages?ticket_id=tkt_1&limit=0")]
    [InlineData("helpdesk/api/messages?ticket_id=tkt_1&limit=101")]
    [InlineData("helpdesk/api/messages?ticket_id=tkt_1&page=0")]
    [InlineData("helpdesk/api/messages?ticket_id=tkt_1&sort_order=up")]
    public async Task Invalid_list_parameters_are_400(string url)
    {
        using var viewer = As("viewer");

        var r = await viewer.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("VALIDATION_ERROR", (await Http.Body(r))["error"]!["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"ticket_id":"tkt_1","type":"reply","content":"x"}""")]
    [InlineData("""{"ticket_id":"tkt_1","type":"note"}""")]
    [InlineData("""{"type":"note","content":"x"}""")]
    [InlineData("""{"ticket_id":"tkt_1","type":"note","content":"x","send_email":"no"}""")]
    [InlineData("""{"ticket_id":"tkt_1","type":"note","content":"x","ccs":[{"name":"no email"}]}""")]
    [InlineData("""{"ticket_id":"tkt_1","type":"note","content":"x","ticket_update":{"priority":"asap"}}""")]
    [InlineData("""not json""")]
    public async Task Invalid_create_bodies_are_400(string body)
    {
        using var agent = As("agent");

        var r = await agent.PostAsync(new Uri("helpdesk/api/messages", UriKind.Relative), Http.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Empty(_sims.Helpdesk.GetMessages("tkt_1"));
    }

    [Fact]
    public async Task Ten_thousand_messages_page_fully_in_both_orders()
    {
        _sims.Helpdesk.CreateTicket("big");
        for (var i = 0; i < 10_000; i++)
        {
            _sims.Helpdesk.AddMessage("big", SimMessageKind.Customer, $"<p>{i}</p>");
        }

        using var viewer = As("viewer");
        foreach (var order in new[] { "asc", "desc" })
        {
            var seen = new List<string>();
            for (var page = 1; ; page++)
            {
                var body = await Http.Body(await viewer.GetAsync(new Uri($"helpdesk/api/messages?ticket_id=big&limit=100&page={page}&sort_order={order}", UriKind.Relative)));
                Assert.Equal(10_000, body["total"]!.GetValue<int>());
                seen.AddRange(body["data"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()));
                if (!body["has_more"]!.GetValue<bool>())
                {
                    break;
                }
            }

            var expected = Enumerable.Range(0, 10_000).Select(i => $"<p>{i}</p>");
            Assert.Equal(order == "asc" ? expected : expected.Reverse(), seen);
        }
    }

    [Fact]
    public async Task The_back_door_closes_a_ticket_and_state_shows_visibility_and_email()
    {
        using var sim = Http.Client(_sims.HelpdeskUrl);
        await sim.PostAsync(new Uri("_sim/messages", UriKind.Relative), Http.Json("""{"ticket_id":"tkt_1","kind":"agent","content":"<p>r</p>"}"""));
        await sim.PostAsync(new Uri("_sim/messages", UriKind.Relative), Http.Json("""{"ticket_id":"tkt_1","kind":"internal_note","content":"<p>n</p>"}"""));
        var closed = await sim.PostAsync(new Uri("_sim/conversations", UriKind.Relative), Http.Json("""{"ticket_id":"tkt_1","status":"closed"}"""));

        var state = await Http.Body(await sim.GetAsync(new Uri("_sim/state", UriKind.Relative)));
        var messages = state["tickets"]![0]!["messages"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal("closed", _sims.Helpdesk.GetTicket("tkt_1").Status);
        Assert.Equal(("customer", true), (messages[0]!["visibility"]!.GetValue<string>(), messages[0]!["email_sent"]!.GetValue<bool>()));
        Assert.Equal(("internal", false), (messages[1]!["visibility"]!.GetValue<string>(), messages[1]!["email_sent"]!.GetValue<bool>()));
    }
}
