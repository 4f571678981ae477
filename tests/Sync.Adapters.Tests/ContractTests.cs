using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Helpdesk;
using MessageSync.Adapters.Pylon;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Simulators;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using NJsonSchema;

namespace MessageSync.Adapters.Tests;

/// <summary>
/// Every request the adapters send and every answer they read, captured on the wire (a handler innermost in each typed
/// client's pipeline), checked against the vendors' contracts with every object closed: Pylon's OpenAPI document, Cord's
/// request and response schemas, and the helpdesk's tables (api-docs 002, written out in <see cref="VendorContracts"/>).
/// A request to an endpoint no contract documents, a query parameter no contract names (beyond the list below, each with
/// its reason), a field the contract does not name, a wrong type: each fails the test.
/// </summary>
public sealed class ContractTests
{
    /// <summary>
    /// Query parameters sent although the contract does not name them, each harmless when the API ignores it (the
    /// "depends on undocumented behaviour" list in docs/ARCHITECTURE.md): Pylon's list-messages operation documents no
    /// parameter at all (api-docs 001), yet answers with <c>pagination.cursor</c>.
    /// </summary>
    private static readonly Dictionary<string, string> UndocumentedButHarmless = new(StringComparer.Ordinal)
    {
        ["GET /issues/{id}/messages?cursor"] = "the answer's pagination.cursor sent back; ignored, PageGuard ends the read",
        ["GET /issues/{id}/messages?limit"] = "sent only when Sync:Pylon:PageSize is set; ignored, pages are Pylon's size",
    };

    private static readonly string[] EveryEndpointTheAdaptersCall =
    [
        "Pylon GET /issues/{id}/messages", "Pylon GET /issues/{id}/threads", "Pylon POST /issues/{id}/threads", "Pylon POST /issues/{id}/reply",
        "Pylon POST /issues/{id}/note", "Pylon POST /issues/{id}/messages/{message_id}/redact", "Pylon DELETE /issues/{id}/messages/{message_id}",
        "Helpdesk GET /helpdesk/api/messages", "Helpdesk GET /helpdesk/api/messages/{messageId}", "Helpdesk POST /helpdesk/api/messages",
        "Cord GET /v1/threads/{threadID}/messages", "Cord GET /v1/threads/{threadID}/messages/{messageID}", "Cord POST /v1/threads/{threadID}/messages",
        "Cord PUT /v1/threads/{threadID}/messages/{messageID}", "Cord DELETE /v1/threads/{threadID}/messages/{messageID}",
    ];

    [Fact]
    public async Task Every_request_the_adapters_send_and_every_answer_they_read_follows_the_vendor_contracts()
    {
        var traffic = new ConcurrentQueue<Exchange>();
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Sync:Pylon:PageSize"] = "2",
            ["Sync:Pylon:ContactIdsByEmail:ana@example.com"] = "contact_9",
            ["Sync:Pylon:UserIdsByEmail:dana@example.com"] = "usr_dana",
            ["Sync:Cord:UserIdsByEmail:dana@example.com"] = "cord_dana",
            ["Sync:Cord:CreateThreadOrganizationId"] = "org_1",
            ["Sync:Helpdesk:PageSize"] = "2",
        }, configure: services =>
        {
            foreach (var client in new[] { nameof(PylonClient), nameof(HelpdeskClient), nameof(CordClient) })
            {
                services.Configure<HttpClientFactoryOptions>(client, o => o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Add(new Recorder(traffic))));
            }
        });
        await DriveEveryEndpointAsync(h);

        var failures = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var exchange in traffic)
        {
            var (system, template) = Classify(exchange);
            seen.Add($"{system} {exchange.Method} {template}");
            failures.AddRange(Check(system, template, exchange).Select(f => $"{exchange.Method} {exchange.PathAndQuery} -> {exchange.Status}: {f}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.Equal(EveryEndpointTheAdaptersCall.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    private static async Task DriveEveryEndpointAsync(Harness h)
    {
        var pylon = h.System(SystemId.Pylon);
        var helpdesk = h.System(SystemId.Helpdesk);
        var cord = h.System(SystemId.Cord);
        var link = Canon.Link(cord: "th_new", delivery: ReplyDelivery.Pylon);
        var dana = new Author("Dana Agent", "dana@example.com");

        h.Host.Pylon.CreateIssue("iss_1", "contact_9", "ana@example.com", "Ana Ruiz");
        h.Host.Pylon.AddUser("usr_dana", "Dana Agent", "dana@example.com");
        h.Host.Helpdesk.CreateTicket("tkt_1");
        for (var i = 0; i < 3; i++)
        {
            h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, $"<p>p{i}</p>", fileUrls: ["https://files.example.com/a.png"]);
            h.Host.Helpdesk.AddMessage("tkt_1", SimMessageKind.Customer, $"<p>h{i}</p>", attachments: [new HelpdeskAttachment("tok", "a.txt", 3)], sendEmail: false);
        }

        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.InternalNote, "<p>internal</p>");

        // Reads: every page of each system.
        await pylon.ReadPagesAsync(link).ToListAsync();
        await helpdesk.ReadPagesAsync(link).ToListAsync();

        // Pylon: a note into a new sync thread (list + create thread + note), a customer reply as the contact, an agent
        // reply as the user, a redaction, a deletion and a deletion of what is gone already (404).
        var note = Canon.Message(MessageKind.InternalNote, author: dana, origin: SystemId.Cord, attachments: [new Attachment("a.pdf", "https://files.example.com/a.pdf")]);
        await pylon.CreateAsync(Canon.Write(link, note), default);
        var asked = (await pylon.CreateAsync(Canon.Write(link, Canon.Message(MessageKind.CustomerMessage)), default)).ExternalId;
        var answered = (await pylon.CreateAsync(Canon.Write(link, Canon.Message(MessageKind.AgentReply, author: dana)), default)).ExternalId;
        await pylon.RedactAsync(link, asked, default);
        await pylon.DeleteAsync(link, answered, DeleteMode.Hard, default);
        await pylon.DeleteAsync(link, answered, DeleteMode.Hard, default);

        // Helpdesk: each kind, a lookup by id (found and not found) and a recovery search.
        foreach (var kind in new[] { MessageKind.CustomerMessage, MessageKind.AgentReply, MessageKind.InternalNote })
        {
            await helpdesk.CreateAsync(Canon.Write(link, Canon.Message(kind, origin: SystemId.Pylon, attachments: [new Attachment("b.pdf", "https://files.example.com/b.pdf")])), default);
        }

        var stored = h.Host.Helpdesk.GetMessages("tkt_1")[0].Id;
        Assert.NotNull(await h.Get<HelpdeskClient>().GetAsync(stored, default));
        Assert.Null(await h.Get<HelpdeskClient>().GetAsync("hmsg_missing", default));
        await helpdesk.FindMirrorAsync(link, Guid.NewGuid(), [], default);

        // Cord: a first write creates the thread, then as a mapped author; a read; an edit; a redaction (GET + PUT); soft
        // and hard deletion; a recovery lookup that finds nothing (404).
        var first = Canon.Message(MessageKind.InternalNote, "<p>Hello <strong>Cord</strong> <a href=\"https://x.example/\">x</a></p>", attachments: [new Attachment("c.pdf", "https://files.example.com/c.pdf")]);
        var id1 = (await cord.CreateAsync(Canon.Write(link, first), default)).ExternalId;
        var id2 = (await cord.CreateAsync(Canon.Write(link, Canon.Message(MessageKind.InternalNote, author: dana, origin: SystemId.Pylon)), default)).ExternalId;
        var id3 = (await cord.CreateAsync(Canon.Write(link, Canon.Message(MessageKind.InternalNote)), default)).ExternalId;
        await cord.ReadPageAsync(link, null, default);
        await cord.EditAsync(Canon.Write(link, first with { BodyHtml = "<p>edited</p>" }), id1, default);
        await cord.RedactAsync(link, id1, default);
        await cord.DeleteAsync(link, id2, DeleteMode.Soft, default);
        await cord.DeleteAsync(link, id3, DeleteMode.Hard, default);
        Assert.True((await cord.FindMirrorAsync(link, Guid.NewGuid(), [], default)).IsAbsent);
    }

    private static (SystemId System, string Template) Classify(Exchange exchange)
    {
        var path = exchange.Path;
        if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            return (SystemId.Cord, Regex.Replace(Regex.Replace(path, "^/v1/threads/[^/]+", "/v1/threads/{threadID}"), "/messages/[^/]+$", "/messages/{messageID}"));
        }

        if (path.StartsWith("/helpdesk/", StringComparison.Ordinal))
        {
            return (SystemId.Helpdesk, Regex.Replace(path, "^/helpdesk/api/messages/[^/]+$", "/helpdesk/api/messages/{messageId}"));
        }

        var template = VendorContracts.PylonOperations()
            .Where(o => string.Equals(o.Method, exchange.Method, StringComparison.OrdinalIgnoreCase))
            .Select(o => o.Path)
            .FirstOrDefault(t => Regex.IsMatch(path, "^" + Regex.Replace(Regex.Escape(t), @"\\\{[a-z_]+}", "[^/]+") + "$"));
        return (SystemId.Pylon, template ?? path + " (no such operation in Pylon's document)");
    }

    private static IEnumerable<string> Check(SystemId system, string template, Exchange exchange)
    {
        var (query, request, response) = system switch
        {
            SystemId.Pylon => PylonContract(template, exchange),
            SystemId.Helpdesk => HelpdeskContract(template, exchange),
            _ => CordContract(template, exchange),
        };

        foreach (var name in exchange.QueryNames.Where(n => !query.Contains(n)))
        {
            if (!UndocumentedButHarmless.ContainsKey($"{exchange.Method} {template}?{name}"))
            {
                yield return $"query parameter '{name}' is not in the contract";
            }
        }

        if (exchange.RequestBody is { Length: > 0 } sent)
        {
            if (request is null)
            {
                yield return "a body was sent where the contract takes none";
            }
            else if (!exchange.RequestIsJson)
            {
                yield return $"the body was sent as {exchange.RequestContentType}, not application/json";
            }
            else if (VendorContracts.Violations(request, sent) is { Length: > 0 } violations)
            {
                yield return "request: " + violations + "\n" + sent;
            }
        }

        if (response is not null && VendorContracts.Violations(response, exchange.ResponseBody) is { Length: > 0 } answered)
        {
            yield return "response: " + answered + "\n" + exchange.ResponseBody;
        }
    }

    private static (IReadOnlySet<string> Query, JsonSchema? Request, JsonSchema? Response) PylonContract(string template, Exchange exchange) =>
        (VendorContracts.PylonQueryParameters(template, exchange.Method),
            VendorContracts.PylonRequest(template, exchange.Method),
            VendorContracts.PylonResponse(template, exchange.Method, exchange.Status));

    private static (IReadOnlySet<string>, JsonSchema?, JsonSchema?) HelpdeskContract(string template, Exchange exchange) =>
        (exchange.Method, template) switch
        {
            ("GET", "/helpdesk/api/messages") => (Set("ticket_id", "page", "limit", "sort_order"), null, exchange.Status == 200 ? VendorContracts.HelpdeskMessageList() : null),
            ("GET", _) => (Set(), null, exchange.Status == 200 ? VendorContracts.HelpdeskMessage() : null),
            // The helpdesk documents no error envelope: error answers are not checked.
            _ => (Set(), VendorContracts.HelpdeskCreateRequest(), exchange.Status is 200 or 201 ? VendorContracts.HelpdeskMessage() : null),
        };

    private static (IReadOnlySet<string>, JsonSchema?, JsonSchema?) CordContract(string template, Exchange exchange) =>
        (exchange.Method, template) switch
        {
            ("GET", "/v1/threads/{threadID}/messages") => (VendorContracts.CordQueryParameters("ListThreadMessageParameters"), null, VendorContracts.CordThreadMessages()),
            ("GET", _) => (Set(), null, exchange.Status == 200 ? VendorContracts.Cord("CoreMessageData") : null),
            // Cord documents no body for its write answers or its errors: those are not checked (see the undocumented list).
            ("POST", _) => (Set(), VendorContracts.CordCreateMessageAsSeed(), null),
            ("PUT", _) => (Set(), VendorContracts.CordRequest("UpdateMessageVariables"), null),
            _ => (Set(), null, null),
        };

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);

    private sealed record Exchange(string Method, string Path, string PathAndQuery, IReadOnlyList<string> QueryNames, string? RequestBody,
        string? RequestContentType, int Status, string ResponseBody)
    {
        public bool RequestIsJson => RequestContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
    }

    /// <summary>Records each attempt as it goes on the wire (innermost handler: after auth, budget and retries).</summary>
    private sealed class Recorder(ConcurrentQueue<Exchange> sink) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var sent = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var uri = request.RequestUri!;
            var names = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => Uri.UnescapeDataString(p.Split('=')[0])).ToList();
            sink.Enqueue(new Exchange(request.Method.Method, uri.AbsolutePath, uri.PathAndQuery, names, sent,
                request.Content?.Headers.ContentType?.ToString(), (int)response.StatusCode, body));
            return response;
        }
    }
}
