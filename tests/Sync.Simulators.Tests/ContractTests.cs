using System.Net;
using System.Text.Json.Nodes;
using NJsonSchema;

namespace MessageSync.Simulators.Tests;

/// <summary>
/// Every endpoint of each simulator, answering success and each error it can give, checked against the vendor contract
/// with every object closed (<see cref="VendorContracts"/>): Pylon's OpenAPI document for each operation and status
/// (an error it does not list, 401 or 429, against its <c>ErrorApiResponseBody</c>); Cord's response schemas; the
/// helpdesk's tables in api-docs 002. Where a vendor documents no answer (Cord's write confirmations and error bodies,
/// the helpdesk's error envelope) the answer is only required to be a JSON object.
/// </summary>
public sealed class ContractTests : IAsyncLifetime
{
    private SimulatorHost _sims = null!;
    private readonly List<string> _failures = [];

    public async Task InitializeAsync()
    {
        _sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = 1 });
        _sims.Pylon.CreateIssue("iss_1", "contact_1", "c@example.com", "Carla");
        _sims.Helpdesk.CreateTicket("tkt_1");
        _sims.Cord.CreateThread("th_1");
    }

    public async Task DisposeAsync() => await _sims.DisposeAsync();

    [Fact]
    public async Task Every_pylon_operation_answers_as_its_openapi_operation_documents_for_each_status()
    {
        using var http = Http.Client(_sims.PylonUrl, SimulatorDefaults.PylonToken);
        using var anonymous = Http.Client(_sims.PylonUrl);
        var customer = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>q</p>", fileUrls: ["https://f/1.png"]);
        var agent = _sims.Pylon.AddMessage("iss_1", SimMessageKind.Agent, "<p>a</p>");
        var internalNote = _sims.Pylon.AddMessage("iss_1", SimMessageKind.InternalNote, "<p>n</p>");

        const string messages = "/issues/{id}/messages", threads = "/issues/{id}/threads", reply = "/issues/{id}/reply", note = "/issues/{id}/note";
        const string redact = "/issues/{id}/messages/{message_id}/redact", delete = "/issues/{id}/messages/{message_id}";
        await Pylon(http, HttpMethod.Get, messages, "issues/iss_1/messages", null, 200);
        await Pylon(http, HttpMethod.Get, messages, "issues/iss_1/messages?limit=1", null, 200);
        await Pylon(http, HttpMethod.Get, messages, "issues/iss_1/messages?cursor=garbage", null, 400);
        await Pylon(http, HttpMethod.Get, messages, "issues/nope/messages", null, 404);
        await Pylon(anonymous, HttpMethod.Get, messages, "issues/iss_1/messages", null, 401);
        await Pylon(http, HttpMethod.Get, threads, "issues/iss_1/threads", null, 200);
        await Pylon(http, HttpMethod.Get, threads, "issues/nope/threads", null, 404);
        await Pylon(http, HttpMethod.Post, threads, "issues/iss_1/threads", """{"name":"Sync"}""", 200);
        await Pylon(http, HttpMethod.Post, threads, "issues/iss_1/threads", """{"name":7}""", 400);
        await Pylon(http, HttpMethod.Post, threads, "issues/nope/threads", """{"name":"Sync"}""", 404);
        var thread = _sims.Pylon.GetThreads("iss_1").Single(t => t.Name == "Sync").Id;
        await Pylon(http, HttpMethod.Post, reply, "issues/iss_1/reply", $$$"""{"body_html":"<p>r</p>","message_id":"{{{customer.Id}}}","contact_id":"contact_1"}""", 200);
        await Pylon(http, HttpMethod.Post, reply, "issues/iss_1/reply", $$$"""{"body_html":"<p>r</p>","message_id":"{{{customer.Id}}}","custom_source":{}}""", 400);
        await Pylon(http, HttpMethod.Post, reply, "issues/iss_1/reply", """{"body_html":"<p>r</p>","message_id":"msg_gone"}""", 404);
        await Pylon(http, HttpMethod.Post, note, "issues/iss_1/note", $$$"""{"body_html":"<p>n</p>","thread_id":"{{{thread}}}"}""", 200);
        await Pylon(http, HttpMethod.Post, note, "issues/iss_1/note", $$$"""{"body_html":"<p>n</p>","message_id":"{{{internalNote.Id}}}"}""", 200);
        await Pylon(http, HttpMethod.Post, note, "issues/iss_1/note", """{"body_html":"<p>n</p>"}""", 400);
        await Pylon(http, HttpMethod.Post, note, "issues/iss_1/note", """{"body_html":"<p>n</p>","thread_id":"thr_gone"}""", 404);
        await Pylon(http, HttpMethod.Post, redact, $"issues/iss_1/messages/{agent.Id}/redact", null, 200);
        await Pylon(http, HttpMethod.Post, redact, "issues/iss_1/messages/msg_gone/redact", null, 404);
        await Pylon(http, HttpMethod.Delete, delete, $"issues/iss_1/messages/{agent.Id}", null, 200);
        await Pylon(http, HttpMethod.Delete, delete, $"issues/iss_1/messages/{agent.Id}", null, 404);
        // The change feed's search: a time filter (alone and under "or"), a page of one with a cursor that continues it,
        // and each refusal: no filter, a limit out of 1..999, a cursor not ours, a field or operator the operation does not allow.
        const string search = "/issues/search";
        var after = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        _sims.Pylon.CreateIssue("iss_2", "contact_1", "c@example.com", "Carla");
        await Pylon(http, HttpMethod.Post, search, "issues/search", $$$"""{"filter":{"field":"latest_message_activity_at","operator":"time_is_after","value":"{{{after}}}"}}""", 200);
        await Pylon(http, HttpMethod.Post, search, "issues/search", $$$"""{"filter":{"field":"","operator":"or","subfilters":[{"field":"latest_message_activity_at","operator":"time_is_after","value":"{{{after}}}"},{"field":"updated_at","operator":"time_is_after","value":"{{{after}}}"}]},"limit":1}""", 200);
        await Pylon(http, HttpMethod.Post, search, "issues/search", """{"filter":{"field":"state","operator":"in","values":["new","closed"]},"limit":999}""", 200);
        await Pylon(http, HttpMethod.Post, search, "issues/search", """{"limit":10}""", 400);
        await Pylon(http, HttpMethod.Post, search, "issues/search", $$$"""{"filter":{"field":"updated_at","operator":"time_is_after","value":"{{{after}}}"},"limit":1000}""", 400);
        await Pylon(http, HttpMethod.Post, search, "issues/search", $$$"""{"filter":{"field":"updated_at","operator":"time_is_after","value":"{{{after}}}"},"cursor":"garbage"}""", 400);
        await Pylon(http, HttpMethod.Post, search, "issues/search", """{"filter":{"field":"updated_at","operator":"equals","value":"x"}}""", 400);
        await Pylon(http, HttpMethod.Post, search, "issues/search", """{"filter":{"field":"updated_at","operator":"time_is_after","value":"yesterday"}}""", 400);
        await Pylon(anonymous, HttpMethod.Post, search, "issues/search", $$$"""{"filter":{"field":"updated_at","operator":"time_is_after","value":"{{{after}}}"}}""", 401);
        _sims.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { ServerErrorRate = 1, Count = 1 });
        await Pylon(http, HttpMethod.Get, messages, "issues/iss_1/messages", null, 500);
        for (var i = 0; i < 20; i++)
        {
            await http.GetAsync(new Uri("issues/iss_1/threads", UriKind.Relative));
        }

        await Pylon(http, HttpMethod.Get, threads, "issues/iss_1/threads", null, 429);

        Assert.True(_failures.Count == 0, string.Join("\n\n", _failures));
    }

    [Fact]
    public async Task Every_cord_endpoint_answers_with_the_documented_shapes()
    {
        using var http = Http.Client(_sims.CordUrl, _sims.MintCordToken(TimeSpan.FromHours(1)));
        var file = _sims.Cord.UploadFile("a.png", "image/png", 10);
        _sims.Cord.AddMessageContent("th_1", "u1", """[{"type":"p","children":[{"text":"see "},{"type":"link","url":"https://x.y","children":[{"text":"x"}]}]}]""", "m1", [file.Id]);
        _sims.Cord.AddReaction("th_1", "m1", "👍", "u2");
        const string create = """{"id":"m2","authorID":"u1","content":[{"type":"p","children":[{"text":"hi","bold":true}]}],"metadata":{"k":"v","n":1,"b":true}}""";

        await Cord(http, HttpMethod.Get, "v1/messages", null, 200, VendorContracts.Cord("ServerListMessages"));
        await Cord(http, HttpMethod.Get, "v1/messages?limit=1", null, 200, VendorContracts.Cord("ServerListMessages"));
        await Cord(http, HttpMethod.Get, "v1/threads/th_1/messages", null, 200, VendorContracts.CordThreadMessages());
        await Cord(http, HttpMethod.Get, "v1/threads/th_1/messages?sortDirection=ascending", null, 200, VendorContracts.CordThreadMessages());
        await Cord(http, HttpMethod.Get, "v1/threads/th_1/messages?limit=1", null, 400, null);
        await Cord(http, HttpMethod.Get, "v1/threads/th_gone/messages", null, 404, null);
        await Cord(http, HttpMethod.Get, "v1/threads/th_1/messages/m1", null, 200, VendorContracts.Cord("CoreMessageData"));
        await Cord(http, HttpMethod.Get, "v1/threads/th_1/messages/m_gone", null, 404, null);
        await Cord(http, HttpMethod.Post, "v1/threads/th_1/messages", create, 200, null);
        await Cord(http, HttpMethod.Post, "v1/threads/th_1/messages", create, 409, null);
        await Cord(http, HttpMethod.Post, "v1/threads/th_1/messages", """{"authorID":"u1"}""", 400, null);
        await Cord(http, HttpMethod.Put, "v1/threads/th_1/messages/m2", """{"content":[],"deleted":true}""", 200, null);
        await Cord(http, HttpMethod.Get, "v1/threads/th_1/messages/m2", null, 200, VendorContracts.Cord("CoreMessageData"));
        await Cord(http, HttpMethod.Put, "v1/threads/th_1/messages/m_gone", """{"deleted":true}""", 404, null);
        await Cord(http, HttpMethod.Delete, "v1/threads/th_1/messages/m2", null, 200, null);
        await Cord(http, HttpMethod.Delete, "v1/threads/th_1/messages/m2", null, 404, null);
        using var anonymous = Http.Client(_sims.CordUrl);
        await Cord(anonymous, HttpMethod.Get, "v1/threads/th_1/messages", null, 401, null);

        Assert.True(_failures.Count == 0, string.Join("\n\n", _failures));
    }

    [Theory]
    [InlineData(HelpdeskListEnvelope.Full)]
    [InlineData(HelpdeskListEnvelope.DataOnly)]
    public async Task Every_helpdesk_endpoint_answers_with_the_message_object_of_api_docs_002(HelpdeskListEnvelope envelope)
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { HelpdeskListEnvelope = envelope });
        sims.Helpdesk.CreateTicket("tkt_1");
        var stored = sims.Helpdesk.AddMessage("tkt_1", SimMessageKind.Customer, "<p>q</p>", "customer_1", "q",
            attachments: [new HelpdeskAttachment("tok", "a.txt", 3)]);
        using var http = Http.Client(sims.HelpdeskUrl, sims.MintHelpdeskToken("agent"));
        const string create = """{"ticket_id":"tkt_1","type":"response","content":"<p>a</p>","send_email":false,"ccs":[{"email":"a@b.c","name":"A"}],"ticket_update":{"priority":"high"}}""";

        await Helpdesk(http, HttpMethod.Get, "helpdesk/api/messages?ticket_id=tkt_1&page=1&limit=10&sort_order=desc", null, 200, VendorContracts.HelpdeskMessageList());
        await Helpdesk(http, HttpMethod.Get, "helpdesk/api/messages?ticket_id=tkt_1&limit=101", null, 400, null);
        await Helpdesk(http, HttpMethod.Get, "helpdesk/api/messages?ticket_id=tkt_gone", null, 404, null);
        await Helpdesk(http, HttpMethod.Get, $"helpdesk/api/messages/{stored.Id}", null, 200, VendorContracts.HelpdeskMessage());
        await Helpdesk(http, HttpMethod.Get, "helpdesk/api/messages/hmsg_gone", null, 404, null);
        await Helpdesk(http, HttpMethod.Post, "helpdesk/api/messages", create, 201, VendorContracts.HelpdeskMessage());
        await Helpdesk(http, HttpMethod.Post, "helpdesk/api/messages", """{"ticket_id":"tkt_1","type":"memo","content":"x"}""", 400, null);
        sims.Helpdesk.CloseTicket("tkt_1");
        await Helpdesk(http, HttpMethod.Post, "helpdesk/api/messages", create, 403, null);

        Assert.True(_failures.Count == 0, string.Join("\n\n", _failures));
    }

    private async Task Pylon(HttpClient http, HttpMethod method, string operation, string url, string? body, int status)
    {
        var (actual, text) = await SendAsync(http, method, url, body);
        var schema = VendorContracts.PylonResponse(operation, method.Method, status);
        Record(method, url, status, actual, text, schema);
    }

    private Task Cord(HttpClient http, HttpMethod method, string url, string? body, int status, JsonSchema? schema) =>
        Check(http, method, url, body, status, schema);

    private Task Helpdesk(HttpClient http, HttpMethod method, string url, string? body, int status, JsonSchema? schema) =>
        Check(http, method, url, body, status, schema);

    private async Task Check(HttpClient http, HttpMethod method, string url, string? body, int status, JsonSchema? schema)
    {
        var (actual, text) = await SendAsync(http, method, url, body);
        Record(method, url, status, actual, text, schema);
    }

    private void Record(HttpMethod method, string url, int expected, int actual, string text, JsonSchema? schema)
    {
        if (actual != expected)
        {
            _failures.Add($"{method} {url}: expected {expected}, got {actual}: {text}");
            return;
        }

        if (schema is not null)
        {
            if (VendorContracts.Violations(schema, text) is { Length: > 0 } violations)
            {
                _failures.Add($"{method} {url} -> {actual}: {violations}\n{text}");
            }
        }
        else if (JsonNode.Parse(text) is not (JsonObject or JsonArray))
        {
            _failures.Add($"{method} {url} -> {actual}: not a JSON object: {text}");
        }
    }

    private static async Task<(int Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string url, string? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative)) { Content = body is null ? null : Http.Json(body) };
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
