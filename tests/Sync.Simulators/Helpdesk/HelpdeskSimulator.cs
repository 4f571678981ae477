using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MessageSync.Simulators;

/// <summary>A file reference on a helpdesk message ({ token, name, size }).</summary>
public sealed record HelpdeskAttachment(string Token, string Name, long Size);

/// <summary>A CC recipient ({ email, name }).</summary>
public sealed record HelpdeskCc(string Email, string? Name);

/// <summary>A helpdesk message as stored. <see cref="EmailSent"/>: a <c>response</c> with send_email true e-mailed the customer.</summary>
public sealed record HelpdeskMessageState(
    string Id, string TicketId, string Type, string Content, string? TextContent, string AuthorId,
    IReadOnlyList<HelpdeskAttachment> Attachments, IReadOnlyList<HelpdeskCc> Ccs, bool SendEmail, bool IsForward, bool EmailSent,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A helpdesk ticket with its messages.</summary>
public sealed record HelpdeskTicketState(string Id, string Status, string? Priority, string? Type, IReadOnlyList<HelpdeskMessageState> Messages);

/// <summary>An e-mail the helpdesk would have sent to the customer.</summary>
public sealed record HelpdeskEmail(string MessageId, string TicketId, string Content, DateTimeOffset SentAt);

/// <summary>
/// The helpdesk Messages API (api-docs 002) under <c>/helpdesk/api/messages</c>: list, retrieve, create.
/// Session JWT (HS256; claims sub, role viewer|agent|admin, exp). Errors are
/// <c>{"error":{"code":"...","message":"..."}}</c> (the doc names codes, not the envelope: assumed).
/// </summary>
public sealed class HelpdeskSimulator : SimulatorBase
{
    public const string List = "list", Retrieve = "retrieve", Create = "create";

    private static readonly string[] Types = ["request", "response", "note"];
    private static readonly string[] Priorities = ["low", "normal", "high", "urgent"];
    private static readonly string[] TicketTypes = ["question", "incident", "problem", "task"];

    // The doc gives `status` no value list; these are the usual helpdesk statuses. "closed" is system-only.
    private static readonly string[] Statuses = ["open", "pending", "on_hold", "solved", "closed"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Ticket> _tickets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HelpdeskMessageState> _messages = new(StringComparer.Ordinal);
    private readonly List<HelpdeskEmail> _emails = [];

    internal HelpdeskSimulator(SimulatorOptions options)
        : base(options)
    {
    }

    public override IReadOnlyList<string> EndpointKeys { get; } = [List, Retrieve, Create];

    /// <summary>Every e-mail that went to a customer, in order.</summary>
    public IReadOnlyList<HelpdeskEmail> EmailsSent
    {
        get
        {
            lock (_gate)
            {
                return _emails.ToList();
            }
        }
    }

    /// <summary>A session token as the helpdesk would issue it.</summary>
    public static string MintToken(SimulatorOptions options, string role = "agent", TimeSpan? lifetime = null, string userId = "agent_sim")
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = options.Time.GetUtcNow();
        return Jwt.Sign(new JsonObject
        {
            ["sub"] = userId,
            ["role"] = role,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + (lifetime ?? TimeSpan.FromHours(1))).ToUnixTimeSeconds(),
        }, options.HelpdeskJwtSecret, "HS256");
    }

    /// <summary>Creates a ticket (status open or closed). Throws if it exists.</summary>
    public void CreateTicket(string ticketId, string status = "open")
    {
        lock (_gate)
        {
            if (!_tickets.TryAdd(ticketId, new Ticket(ticketId) { Status = status }))
            {
                throw new InvalidOperationException($"ticket {ticketId} exists");
            }
        }
    }

    /// <summary>Closes a ticket, as the helpdesk's automations do.</summary>
    public void CloseTicket(string ticketId) => SetTicketStatus(ticketId, "closed");

    /// <summary>Sets a ticket's status (open, pending, closed, ...).</summary>
    public void SetTicketStatus(string ticketId, string status)
    {
        lock (_gate)
        {
            GetTicketCore(ticketId).Status = status;
        }
    }

    /// <summary>
    /// Adds a message as a person would: the customer's <c>request</c>, an agent's <c>response</c>
    /// (e-mailed when <paramref name="sendEmail"/>) or a <c>note</c>. Works on closed tickets too (a back door).
    /// </summary>
    public HelpdeskMessageState AddMessage(string ticketId, SimMessageKind kind, string html, string? authorId = null, string? textContent = null, bool sendEmail = true, IReadOnlyList<HelpdeskAttachment>? attachments = null)
    {
        var type = kind switch { SimMessageKind.Customer => "request", SimMessageKind.Agent => "response", _ => "note" };
        lock (_gate)
        {
            var ticket = GetTicketCore(ticketId);
            return Store(ticket, type, html, textContent, authorId ?? (kind == SimMessageKind.Customer ? "customer_sim" : "agent_sim"), attachments ?? [], [], sendEmail, isForward: false);
        }
    }

    /// <summary>Every message of a ticket in creation order.</summary>
    public IReadOnlyList<HelpdeskMessageState> GetMessages(string ticketId)
    {
        lock (_gate)
        {
            return GetTicketCore(ticketId).Messages.ToList();
        }
    }

    /// <summary>One ticket with its messages.</summary>
    public HelpdeskTicketState GetTicket(string ticketId)
    {
        lock (_gate)
        {
            return GetTicketCore(ticketId).Snapshot();
        }
    }

    /// <summary>Every ticket with its messages.</summary>
    public IReadOnlyList<HelpdeskTicketState> GetState()
    {
        lock (_gate)
        {
            return _tickets.Values.Select(t => t.Snapshot()).ToList();
        }
    }

    internal override void Map(WebApplication app)
    {
        app.MapGet("/helpdesk/api/messages", Api(List, HandleList));
        app.MapGet("/helpdesk/api/messages/{messageId}", Api(Retrieve, HandleRetrieve));
        app.MapPost("/helpdesk/api/messages", Api(Create, HandleCreate));
        MapFaultEndpoints(app);
        app.MapGet("/_sim/state", ctx => WriteAsync(ctx, new ApiResult(200, StateJson())));
        app.MapPost("/_sim/conversations", SimConversation);
        app.MapPost("/_sim/messages", SimAddMessage);
    }

    private protected override ValueTask<ApiResult?> AuthenticateAsync(HttpContext ctx, string endpointKey)
    {
        var claims = Jwt.Validate(Jwt.Bearer(ctx), Options.HelpdeskJwtSecret, "HS256", Now, out var reason);
        if (claims is null || claims["exp"] is null || Str(claims, "sub") is null)
        {
            return ValueTask.FromResult<ApiResult?>(Error(401, "UNAUTHORIZED", claims is null ? reason : "token needs sub and exp"));
        }

        var role = Str(claims, "role");
        var canRead = role is "viewer" or "agent" or "admin";
        var canWrite = role is "agent" or "admin";
        if (endpointKey == Create ? !canWrite : !canRead)
        {
            return ValueTask.FromResult<ApiResult?>(Error(403, "FORBIDDEN", endpointKey == Create ? "requires the agent role or higher" : "requires the viewer role or higher"));
        }

        ctx.Items["sub"] = Str(claims, "sub");
        return ValueTask.FromResult<ApiResult?>(null);
    }

    private protected override ApiResult Error(int status, string code, string message) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private Task<ApiResult> HandleList(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        if (q["ticket_id"].ToString() is not { Length: > 0 } ticketId)
        {
            return Task.FromResult(Error(400, "VALIDATION_ERROR", "ticket_id is required"));
        }

        var page = 1;
        if (q.ContainsKey("page") && (!int.TryParse(q["page"], NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            return Task.FromResult(Error(400, "VALIDATION_ERROR", "page must be an integer >= 1"));
        }

        var limit = 50;
        if (q.ContainsKey("limit") && (!int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return Task.FromResult(Error(400, "VALIDATION_ERROR", "limit must be an integer 1-100"));
        }

        var sort = q.ContainsKey("sort_order") ? q["sort_order"].ToString() : "asc";
        if (sort is not ("asc" or "desc"))
        {
            return Task.FromResult(Error(400, "VALIDATION_ERROR", "sort_order must be asc or desc"));
        }

        lock (_gate)
        {
            if (!_tickets.TryGetValue(ticketId, out var ticket))
            {
                return Task.FromResult(Error(404, "NOT_FOUND", "ticket not found"));
            }

            // Options.Paging: a helpdesk that ignores page (and limit) answers its own first page, or everything, every time.
            var all = ticket.Messages;
            (page, limit) = Options.Paging switch
            {
                PagingMode.IgnoredWholeList => (1, Math.Max(1, all.Count)),
                PagingMode.IgnoredFirstPage => (1, 50),
                _ => (page, limit),
            };
            var start = (long)(page - 1) * limit;
            var data = new JsonArray();
            for (var i = start; i < Math.Min(all.Count, start + limit); i++)
            {
                data.Add(ToJson(all[sort == "asc" ? (int)i : all.Count - 1 - (int)i]));
            }

            // List envelope (the doc does not show one): {"data":[...],"page":P,"limit":L,"total":N,"has_more":bool},
            // or data alone (Options.HelpdeskListEnvelope).
            var body = new JsonObject { ["data"] = data };
            if (Options.HelpdeskListEnvelope == HelpdeskListEnvelope.Full)
            {
                body["page"] = page;
                body["limit"] = limit;
                body["total"] = all.Count;
                body["has_more"] = start + limit < all.Count;
            }

            return Task.FromResult(new ApiResult(200, body));
        }
    }

    private Task<ApiResult> HandleRetrieve(HttpContext ctx)
    {
        lock (_gate)
        {
            return Task.FromResult(_messages.TryGetValue((string)ctx.Request.RouteValues["messageId"]!, out var m)
                ? new ApiResult(200, ToJson(m))
                : Error(404, "NOT_FOUND", "message not found"));
        }
    }

    private async Task<ApiResult> HandleCreate(HttpContext ctx)
    {
        RequireJsonContentType(ctx);
        var body = await ReadJsonObjectAsync(ctx) ?? throw new BadRequestException("request body must be a JSON object");
        var ticketId = RequiredString(body, "ticket_id");
        var type = RequiredString(body, "type");
        if (!Types.Contains(type))
        {
            throw new BadRequestException("type must be request, response or note");
        }

        var content = RequiredString(body, "content");
        var text = OptionalString(body, "text_content");
        var sendEmail = OptionalBool(body, "send_email") ?? true;
        var isForward = OptionalBool(body, "is_forward") ?? false;
        var ccs = ObjectArray(body, "ccs").Select(o => new HelpdeskCc(RequiredString(o, "email"), OptionalString(o, "name"))).ToList();
        var attachments = ObjectArray(body, "attachments").Select(o => new HelpdeskAttachment(RequiredString(o, "token"), RequiredString(o, "name"), RequiredLong(o, "size"))).ToList();
        foreach (var r in ObjectArray(body, "recipients"))
        {
            RequiredString(r, "email");
        }

        string? status = null, priority = null, ticketType = null;
        if (body.TryGetPropertyValue("ticket_update", out var tu) && tu is not null)
        {
            if (tu is not JsonObject update)
            {
                throw new BadRequestException("ticket_update must be an object");
            }

            status = OptionalString(update, "status");
            priority = OptionalString(update, "priority");
            ticketType = OptionalString(update, "type");
            if ((status is not null && !Statuses.Contains(status)) || (priority is not null && !Priorities.Contains(priority)) || (ticketType is not null && !TicketTypes.Contains(ticketType)))
            {
                throw new BadRequestException("ticket_update has an invalid status, priority or type");
            }
        }

        lock (_gate)
        {
            if (!_tickets.TryGetValue(ticketId, out var ticket))
            {
                return Error(404, "NOT_FOUND", "ticket not found");
            }

            if (ticket.Status == "closed")
            {
                return Error(403, "TICKET_CLOSED", "Cannot add messages to closed tickets");
            }

            if (status == "closed")
            {
                return Error(403, "CLOSED_STATUS_SYSTEM_ONLY", "Closed status can only be set by system automations");
            }

            var m = Store(ticket, type, content, text, (string)ctx.Items["sub"]!, attachments, ccs, sendEmail, isForward);
            ticket.Status = status ?? ticket.Status;
            ticket.Priority = priority ?? ticket.Priority;
            ticket.Type = ticketType ?? ticket.Type;
            // Created: 201 with the message object (the doc shows no create response; assumed).
            return new ApiResult(201, ToJson(m));
        }
    }

    private HelpdeskMessageState Store(Ticket ticket, string type, string content, string? text, string authorId, IReadOnlyList<HelpdeskAttachment> attachments, IReadOnlyList<HelpdeskCc> ccs, bool sendEmail, bool isForward)
    {
        var now = Now;
        var emailed = type == "response" && sendEmail;
        content = StoredHtml.Stored(Options, content);
        var m = new HelpdeskMessageState(NewId("hmsg_"), ticket.Id, type, content, text, authorId, attachments, ccs, sendEmail, isForward, emailed, now, now);
        ticket.Messages.Add(m);
        _messages[m.Id] = m;
        if (emailed)
        {
            _emails.Add(new HelpdeskEmail(m.Id, ticket.Id, content, now));
        }

        return m;
    }

    private static List<JsonObject> ObjectArray(JsonObject body, string name)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return [];
        }

        return node is JsonArray a && a.All(x => x is JsonObject)
            ? a.Cast<JsonObject>().ToList()
            : throw new BadRequestException($"{name} must be an array of objects");
    }

    private static long RequiredLong(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) && n >= 0
            ? n
            : throw new BadRequestException($"{name} must be a non-negative integer");

    private static JsonObject ToJson(HelpdeskMessageState m) => new()
    {
        ["id"] = m.Id,
        ["ticketId"] = m.TicketId,
        ["type"] = m.Type,
        ["content"] = m.Content,
        ["textContent"] = m.TextContent,
        ["authorId"] = m.AuthorId,
        ["attachments"] = new JsonArray(m.Attachments.Select(a => (JsonNode)new JsonObject { ["token"] = a.Token, ["name"] = a.Name, ["size"] = a.Size }).ToArray()),
        ["ccs"] = new JsonArray(m.Ccs.Select(c => (JsonNode)new JsonObject { ["email"] = c.Email, ["name"] = c.Name }).ToArray()),
        ["createdAt"] = Rfc3339(m.CreatedAt),
        ["updatedAt"] = Rfc3339(m.UpdatedAt),
    };

    private async Task SimConversation(HttpContext ctx)
    {
        var body = await ReadJsonObjectAsync(ctx);
        var id = body is null ? null : Str(body, "ticket_id") ?? Str(body, "id");
        var status = body is null ? null : Str(body, "status") ?? "open";
        if (id is null || status is null || !Statuses.Contains(status))
        {
            await WriteAsync(ctx, SimError("ticket_id and a valid status are required"));
            return;
        }

        lock (_gate)
        {
            // Creates the ticket, or sets the status of an existing one (how a test closes a ticket).
            if (_tickets.TryGetValue(id, out var t))
            {
                t.Status = status;
            }
            else
            {
                _tickets[id] = new Ticket(id) { Status = status };
            }
        }

        await WriteAsync(ctx, new ApiResult(200, new JsonObject { ["ticket_id"] = id, ["status"] = status }));
    }

    private async Task SimAddMessage(HttpContext ctx)
    {
        var body = await ReadJsonObjectAsync(ctx);
        if (body is null || Str(body, "ticket_id") is not { } ticketId || Str(body, "content") is not { } content
            || !Enum.TryParse<SimMessageKind>((Str(body, "kind") ?? "").Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var kind))
        {
            await WriteAsync(ctx, SimError("ticket_id, content and kind (customer|agent|internal_note) are required"));
            return;
        }

        try
        {
            var m = AddMessage(ticketId, kind, content, Str(body, "author_id"), Str(body, "text_content"), Bool(body, "send_email") ?? true);
            await WriteAsync(ctx, new ApiResult(200, ToJson(m)));
        }
        catch (KeyNotFoundException e)
        {
            await WriteAsync(ctx, SimError(e.Message, 404));
        }
    }

    private JsonObject StateJson()
    {
        var tickets = new JsonArray();
        foreach (var t in GetState())
        {
            tickets.Add(new JsonObject
            {
                ["id"] = t.Id,
                ["status"] = t.Status,
                ["priority"] = t.Priority,
                ["type"] = t.Type,
                ["messages"] = new JsonArray(t.Messages.Select(m =>
                {
                    var o = ToJson(m);
                    o["visibility"] = m.Type == "note" ? "internal" : "customer";
                    o["send_email"] = m.SendEmail;
                    o["email_sent"] = m.EmailSent;
                    o["is_forward"] = m.IsForward;
                    return (JsonNode)o;
                }).ToArray()),
            });
        }

        return new JsonObject
        {
            ["tickets"] = tickets,
            ["emails_sent"] = new JsonArray(EmailsSent.Select(e => (JsonNode)new JsonObject { ["message_id"] = e.MessageId, ["ticket_id"] = e.TicketId, ["sent_at"] = Rfc3339(e.SentAt) }).ToArray()),
        };
    }

    private Ticket GetTicketCore(string ticketId) =>
        _tickets.TryGetValue(ticketId, out var t) ? t : throw new KeyNotFoundException($"ticket {ticketId}");

    private sealed class Ticket(string id)
    {
        public string Id { get; } = id;
        public string Status { get; set; } = "open";
        public string? Priority { get; set; }
        public string? Type { get; set; }
        public List<HelpdeskMessageState> Messages { get; } = [];

        public HelpdeskTicketState Snapshot() => new(Id, Status, Priority, Type, Messages.ToList());
    }
}
