using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MessageSync.Simulators;

/// <summary>
/// Pylon's Messages endpoints (api-docs 000/001, contracts/pylon-openapi.json): list messages and threads,
/// create thread, reply, note, redact, delete; Bearer token; per-endpoint limits per token.
/// </summary>
public sealed class PylonSimulator : SimulatorBase
{
    /// <summary>Endpoint keys for stats and faults.</summary>
    public const string ListMessages = "list_messages", ListThreads = "list_threads", CreateThreadKey = "create_thread",
        Reply = "reply", Note = "note", Redact = "redact", Delete = "delete";

    /// <summary>List page size when the client sends no <c>limit</c>, and the largest accepted.</summary>
    public const int DefaultPageSize = 100, MaxPageSize = 1000;

    // api-docs 000: 20/min list messages, list threads, create thread, redact; 10/min reply, note, delete.
    private static readonly Dictionary<string, int> Limits = new(StringComparer.Ordinal)
    {
        [ListMessages] = 20, [ListThreads] = 20, [CreateThreadKey] = 20, [Redact] = 20,
        [Reply] = 10, [Note] = 10, [Delete] = 10,
    };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Issue> _issues = new(StringComparer.Ordinal);

    // The organisation's users: a user_id a reply or note names must be one of them.
    private readonly Dictionary<string, PylonMessageAuthor> _users = new(StringComparer.Ordinal) { [ApiUser.Id] = ApiUser };
    private readonly RateLimiter _limiter;
    private int _ignoredCursors;

    internal PylonSimulator(SimulatorOptions options)
        : base(options) => _limiter = new RateLimiter(options);

    /// <summary>The user the API token belongs to: author of notes and replies sent without <c>user_id</c>.</summary>
    public static PylonMessageAuthor ApiUser { get; } = new("usr_sim_api", "Pylon API", "api@pylon.sim");

    public override IReadOnlyList<string> EndpointKeys { get; } = [ListMessages, ListThreads, CreateThreadKey, Reply, Note, Redact, Delete];

    /// <summary>Creates an issue whose requester is the given contact. Throws if it exists.</summary>
    public void CreateIssue(string issueId, string contactId = "contact_sim", string contactEmail = "customer@example.com", string contactName = "Sim Customer")
    {
        lock (_gate)
        {
            if (!_issues.TryAdd(issueId, new Issue(issueId, new PylonContact(contactId, contactEmail, contactName))))
            {
                throw new InvalidOperationException($"issue {issueId} exists");
            }
        }
    }

    /// <summary>Adds a user (an agent) to the organisation, so a reply or note may be posted as them.</summary>
    public void AddUser(string userId, string name, string email)
    {
        lock (_gate)
        {
            _users[userId] = new PylonMessageAuthor(userId, name, email);
        }
    }

    /// <summary>The organisation's users: the API token's user, every added user and every agent who wrote a message.</summary>
    public IReadOnlyList<PylonMessageAuthor> GetUsers()
    {
        lock (_gate)
        {
            return _users.Values.ToList();
        }
    }

    /// <summary>Creates an internal thread on an issue, as a person would in the UI.</summary>
    public PylonThreadState CreateThread(string issueId, string name)
    {
        lock (_gate)
        {
            return AddThread(GetIssue(issueId), name, isDefault: false);
        }
    }

    /// <summary>
    /// Adds a message as a person would: the customer (author = the issue's contact), an agent's reply
    /// (customer-visible) or an internal note (into <paramref name="threadId"/> or the default internal thread).
    /// </summary>
    public PylonMessageState AddMessage(string issueId, SimMessageKind kind, string html, string? authorName = null, string? authorEmail = null, IReadOnlyList<string>? fileUrls = null, string? threadId = null)
    {
        lock (_gate)
        {
            var issue = GetIssue(issueId);
            var m = new Message(NewId("msg_"), issue.Id, kind, StoredHtml.Stored(Options, html), Now)
            {
                FileUrls = fileUrls?.ToList() ?? [],
                Source = kind == SimMessageKind.Customer ? "email" : "app",
            };
            if (kind == SimMessageKind.Customer)
            {
                m.AuthorName = authorName ?? issue.Contact.Name;
                m.AuthorEmail = authorEmail ?? issue.Contact.Email;
                m.ContactId = issue.Contact.Id;
            }
            else
            {
                m.AuthorName = authorName ?? "Sim Agent";
                m.AuthorEmail = authorEmail ?? "agent@pylon.sim";
                m.UserId = "usr_" + (m.AuthorEmail.Split('@')[0]);
                _users.TryAdd(m.UserId, new PylonMessageAuthor(m.UserId, m.AuthorName, m.AuthorEmail));
            }

            if (kind == SimMessageKind.InternalNote)
            {
                m.ThreadId = threadId is null
                    ? DefaultThread(issue, null).Id
                    : issue.Threads.FirstOrDefault(t => t.Id == threadId)?.Id ?? throw new KeyNotFoundException($"thread {threadId}");
            }

            issue.Messages.Add(m);
            issue.ById[m.Id] = m;
            return m.Snapshot();
        }
    }

    /// <summary>Every message of an issue in order, deleted and redacted ones included.</summary>
    public IReadOnlyList<PylonMessageState> GetMessages(string issueId)
    {
        lock (_gate)
        {
            return GetIssue(issueId).Messages.Select(m => m.Snapshot()).ToList();
        }
    }

    /// <summary>The internal threads of an issue.</summary>
    public IReadOnlyList<PylonThreadState> GetThreads(string issueId)
    {
        lock (_gate)
        {
            return GetIssue(issueId).Threads.ToList();
        }
    }

    /// <summary>Every issue with its threads and messages.</summary>
    public IReadOnlyList<PylonIssueState> GetState()
    {
        lock (_gate)
        {
            return _issues.Values.Select(i => new PylonIssueState(i.Id, i.Contact, i.Threads.ToList(), i.Messages.Select(m => m.Snapshot()).ToList())).ToList();
        }
    }

    internal override void Map(WebApplication app)
    {
        app.MapGet("/issues/{id}/messages", Api(ListMessages, HandleListMessages));
        app.MapGet("/issues/{id}/threads", Api(ListThreads, HandleListThreads));
        app.MapPost("/issues/{id}/threads", Api(CreateThreadKey, HandleCreateThread));
        app.MapPost("/issues/{id}/reply", Api(Reply, HandleReply));
        app.MapPost("/issues/{id}/note", Api(Note, HandleNote));
        app.MapPost("/issues/{id}/messages/{message_id}/redact", Api(Redact, HandleRedact));
        app.MapDelete("/issues/{id}/messages/{message_id}", Api(Delete, HandleDelete));
        MapFaultEndpoints(app);
        app.MapGet("/_sim/state", ctx => WriteAsync(ctx, new ApiResult(200, StateJson())));
        app.MapPost("/_sim/conversations", SimCreateIssue);
        app.MapPost("/_sim/messages", SimAddMessage);
    }

    private protected override ValueTask<ApiResult?> AuthenticateAsync(HttpContext ctx, string endpointKey) =>
        ValueTask.FromResult(Jwt.Bearer(ctx) == Options.PylonToken ? null : Error(401, "UNAUTHORIZED", "missing or invalid API token"));

    private protected override ApiResult? ApplyRateLimit(HttpContext ctx, string endpointKey)
    {
        if (!_limiter.Enabled)
        {
            return null;
        }

        var d = _limiter.Acquire(Jwt.Bearer(ctx)!, endpointKey, Limits[endpointKey]);
        var headers = ctx.Response.Headers;
        headers["X-Rate-Limit-Limit"] = d.Limit.ToString(CultureInfo.InvariantCulture);
        headers["X-Rate-Limit-Remaining"] = d.Remaining.ToString(CultureInfo.InvariantCulture);
        // Reset as Unix seconds of the window's end (Pylon's public docs name the header, not its unit), rounded up: a
        // reset rounded down would announce the window open up to a second before it is, and a client trusting it would
        // be refused.
        headers["X-Rate-Limit-Reset"] = ((d.Reset.UtcTicks + TimeSpan.TicksPerSecond - 1 - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture);
        if (d.Allowed)
        {
            return null;
        }

        var limited = Error(429, "RATE_LIMITED", $"rate limit of {d.Limit} requests per window exceeded");
        limited.Headers["Retry-After"] = Math.Max(1, (int)Math.Ceiling(d.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return limited;
    }

    // ErrorApiResponseBody: {"errors": [...], "request_id": ...}
    private protected override ApiResult Error(int status, string code, string message) =>
        new(status, new JsonObject { ["errors"] = new JsonArray(message), ["request_id"] = NewId("req_") });

    private Task<ApiResult> HandleListMessages(HttpContext ctx)
    {
        // The OpenAPI document gives GET /issues/{id}/messages no query parameters, yet its response has
        // pagination.cursor/has_next_page: the simulator accepts `cursor` and `limit` (1..1000, default 100), unless
        // Options.Paging says to ignore them as a real Pylon may.
        var id = (string)ctx.Request.RouteValues["id"]!;
        var honoured = Options.Paging == PagingMode.Honoured;
        var limit = DefaultPageSize;
        var offset = 0;
        if (honoured && ctx.Request.Query.TryGetValue("limit", out var l) && (!int.TryParse(l, out limit) || limit < 1 || limit > MaxPageSize))
        {
            return Task.FromResult(Error(400, "VALIDATION_ERROR", $"limit must be an integer 1..{MaxPageSize}"));
        }

        if (honoured && !Cursor.TryDecode(ctx.Request.Query["cursor"], "pylon:" + id, out offset))
        {
            return Task.FromResult(Error(400, "VALIDATION_ERROR", "invalid cursor"));
        }

        limit = Options.Paging == PagingMode.IgnoredWholeList ? int.MaxValue : limit;
        lock (_gate)
        {
            if (!_issues.TryGetValue(id, out var issue))
            {
                return Task.FromResult(NotFound("issue"));
            }

            var data = new JsonArray();
            var i = Math.Min(offset, issue.Messages.Count);
            for (; i < issue.Messages.Count && data.Count < limit; i++)
            {
                if (!issue.Messages[i].Deleted)
                {
                    data.Add(issue.Messages[i].ToJson());
                }
            }

            var more = !honoured;
            for (var j = i; j < issue.Messages.Count && !more; j++)
            {
                more = !issue.Messages[j].Deleted;
            }

            return Task.FromResult(Ok(new JsonObject
            {
                ["data"] = data,
                // An API that ignores the cursor it is sent still hands out a fresh one each time (the worst case for a reader).
                ["pagination"] = new JsonObject { ["cursor"] = more ? Cursor.Encode("pylon:" + id, honoured ? i : ++_ignoredCursors) : "", ["has_next_page"] = more },
            }));
        }
    }

    private Task<ApiResult> HandleListThreads(HttpContext ctx)
    {
        lock (_gate)
        {
            if (!_issues.TryGetValue((string)ctx.Request.RouteValues["id"]!, out var issue))
            {
                return Task.FromResult(NotFound("issue"));
            }

            return Task.FromResult(Ok(new JsonObject { ["data"] = new JsonArray(issue.Threads.Select(ThreadJson).ToArray()) }));
        }
    }

    private async Task<ApiResult> HandleCreateThread(HttpContext ctx)
    {
        // requestBody "required": false: no body at all is a thread without a name.
        var body = await ValidatedBody(ctx, "/issues/{id}/threads", optional: true);
        var name = OptionalString(body, "name");
        lock (_gate)
        {
            if (!_issues.TryGetValue((string)ctx.Request.RouteValues["id"]!, out var issue))
            {
                return NotFound("issue");
            }

            return Ok(new JsonObject { ["data"] = ThreadJson(AddThread(issue, name ?? "", isDefault: false)) });
        }
    }

    private async Task<ApiResult> HandleReply(HttpContext ctx)
    {
        var body = await ValidatedBody(ctx, "/issues/{id}/reply");
        var html = RequiredString(body, "body_html");
        var replyTo = RequiredString(body, "message_id");
        var contactId = OptionalString(body, "contact_id");
        var userId = OptionalString(body, "user_id");
        var files = OptionalStringArray(body, "attachment_urls");
        if (contactId is not null && userId is not null)
        {
            return Error(400, "VALIDATION_ERROR", "only one of user_id or contact_id can be provided");
        }

        lock (_gate)
        {
            if (!_issues.TryGetValue((string)ctx.Request.RouteValues["id"]!, out var issue))
            {
                return NotFound("issue");
            }

            if (!issue.ById.TryGetValue(replyTo, out var parent) || parent.Deleted)
            {
                return NotFound("message");
            }

            if (contactId is not null && contactId != issue.Contact.Id)
            {
                return NotFound("contact");
            }

            if (UnknownUser(userId) is { } unknownUser)
            {
                return unknownUser;
            }

            var m = new Message(NewId("msg_"), issue.Id, contactId is null ? SimMessageKind.Agent : SimMessageKind.Customer, StoredHtml.Stored(Options, html), Now)
            {
                FileUrls = files ?? [],
                Source = "api",
                ReplyTo = replyTo,
            };
            if (contactId is not null)
            {
                (m.AuthorName, m.AuthorEmail, m.ContactId) = (issue.Contact.Name, issue.Contact.Email, issue.Contact.Id);
            }
            else
            {
                SetUser(m, userId);
            }

            issue.Messages.Add(m);
            issue.ById[m.Id] = m;
            return Ok(new JsonObject { ["data"] = new JsonObject { ["id"] = m.Id, ["issue_id"] = issue.Id } });
        }
    }

    private async Task<ApiResult> HandleNote(HttpContext ctx)
    {
        var body = await ValidatedBody(ctx, "/issues/{id}/note");
        var html = RequiredString(body, "body_html");
        var threadId = OptionalString(body, "thread_id");
        var messageId = OptionalString(body, "message_id");
        var userId = OptionalString(body, "user_id");
        var files = OptionalStringArray(body, "attachment_urls");
        if (threadId is null && messageId is null)
        {
            // api-docs 000/001: "Either this or message_id must be provided" (the later full document lets Pylon pick a
            // default thread instead; MessageSync targets the seed's version, so the simulator refuses).
            return Error(400, "VALIDATION_ERROR", "either thread_id or message_id must be provided");
        }

        lock (_gate)
        {
            if (!_issues.TryGetValue((string)ctx.Request.RouteValues["id"]!, out var issue))
            {
                return NotFound("issue");
            }

            if (UnknownUser(userId) is { } unknownUser)
            {
                return unknownUser;
            }

            string target;
            if (threadId is not null)
            {
                // The `id` of an IssueThread, not its `thread_id` (api-docs 000).
                if (issue.Threads.All(t => t.Id != threadId))
                {
                    return NotFound("thread");
                }

                target = threadId;
            }
            else
            {
                if (!issue.ById.TryGetValue(messageId!, out var parent) || parent.Deleted)
                {
                    return NotFound("message");
                }

                if (parent.ThreadId is null)
                {
                    return Error(400, "VALIDATION_ERROR", "message_id must be an internal note");
                }

                target = parent.ThreadId;
            }

            var m = new Message(NewId("msg_"), issue.Id, SimMessageKind.InternalNote, StoredHtml.Stored(Options, html), Now)
            {
                FileUrls = files ?? [],
                Source = "api",
                ThreadId = target,
                ReplyTo = messageId,
            };
            SetUser(m, userId);
            issue.Messages.Add(m);
            issue.ById[m.Id] = m;
            return Ok(new JsonObject { ["data"] = new JsonObject { ["id"] = m.Id, ["issue_id"] = issue.Id } });
        }
    }

    private Task<ApiResult> HandleRedact(HttpContext ctx)
    {
        lock (_gate)
        {
            if (!TryFind(ctx, out var issue, out var m, out var missing))
            {
                return Task.FromResult(missing);
            }

            // Redaction cannot be undone: the stored body and files are overwritten, not hidden.
            m.Html = "";
            m.FileUrls = [];
            m.Redacted = true;
            m.RedactedAt ??= Now;
            return Task.FromResult(Ok(new JsonObject { ["data"] = m.ToJson() }));
        }
    }

    private Task<ApiResult> HandleDelete(HttpContext ctx)
    {
        lock (_gate)
        {
            if (!TryFind(ctx, out _, out var m, out var missing))
            {
                return Task.FromResult(missing);
            }

            m.Deleted = true;
            m.DeletedAt = Now;
            return Task.FromResult(Ok(new JsonObject()));
        }
    }

    private async Task SimCreateIssue(HttpContext ctx)
    {
        var body = await ReadJsonObjectAsync(ctx);
        var id = body is null ? null : Str(body, "issue_id") ?? Str(body, "id");
        if (body is null || id is null)
        {
            await WriteAsync(ctx, SimError("issue_id is required"));
            return;
        }

        try
        {
            CreateIssue(id, Str(body, "contact_id") ?? "contact_sim", Str(body, "contact_email") ?? "customer@example.com", Str(body, "contact_name") ?? "Sim Customer");
            await WriteAsync(ctx, new ApiResult(200, new JsonObject { ["issue_id"] = id }));
        }
        catch (InvalidOperationException e)
        {
            await WriteAsync(ctx, SimError(e.Message, 409));
        }
    }

    private async Task SimAddMessage(HttpContext ctx)
    {
        var body = await ReadJsonObjectAsync(ctx);
        if (body is null || Str(body, "issue_id") is not { } issueId || Str(body, "body_html") is not { } html
            || !Enum.TryParse<SimMessageKind>((Str(body, "kind") ?? "").Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var kind))
        {
            await WriteAsync(ctx, SimError("issue_id, body_html and kind (customer|agent|internal_note) are required"));
            return;
        }

        try
        {
            var files = body["file_urls"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : null;
            var m = AddMessage(issueId, kind, html, Str(body, "author_name"), Str(body, "author_email"), files, Str(body, "thread_id"));
            await WriteAsync(ctx, new ApiResult(200, new JsonObject { ["id"] = m.Id, ["thread_id"] = m.ThreadId }));
        }
        catch (KeyNotFoundException e)
        {
            await WriteAsync(ctx, SimError(e.Message, 404));
        }
    }

    private JsonObject StateJson()
    {
        var issues = new JsonArray();
        foreach (var i in GetState())
        {
            issues.Add(new JsonObject
            {
                ["id"] = i.Id,
                ["contact"] = new JsonObject { ["id"] = i.Contact.Id, ["email"] = i.Contact.Email, ["name"] = i.Contact.Name },
                ["threads"] = new JsonArray(i.Threads.Select(ThreadJson).ToArray()),
                ["messages"] = new JsonArray(i.Messages.Select(m => (JsonNode)new JsonObject
                {
                    ["id"] = m.Id,
                    ["kind"] = m.Kind.ToString(),
                    ["visibility"] = m.IsPrivate ? "internal" : "customer",
                    ["is_private"] = m.IsPrivate,
                    ["thread_id"] = m.ThreadId,
                    ["body_html"] = m.MessageHtml,
                    ["file_urls"] = new JsonArray(m.FileUrls.Select(f => (JsonNode)f).ToArray()),
                    ["author"] = new JsonObject { ["name"] = m.AuthorName, ["email"] = m.AuthorEmail, ["contact_id"] = m.ContactId, ["user_id"] = m.UserId },
                    ["source"] = m.Source,
                    ["timestamp"] = Rfc3339(m.Timestamp),
                    ["reply_to"] = m.ReplyToMessageId,
                    ["redacted"] = m.Redacted,
                    ["deleted"] = m.Deleted,
                    ["reached_customer"] = m.ReachedCustomer,
                }).ToArray()),
            });
        }

        return new JsonObject { ["issues"] = issues };
    }

    /// <summary>
    /// The request body as a JSON object, refused with 400 unless it is <c>application/json</c> and valid against the
    /// operation's request schema in Pylon's document (types, required fields, nested objects such as
    /// <c>custom_source</c> and <c>email_info</c>). Fields the document does not name are not refused: it does not say so.
    /// </summary>
    private static async Task<JsonObject> ValidatedBody(HttpContext ctx, string path, bool optional = false)
    {
        var text = await ReadTextAsync(ctx);
        if (optional && text.Length == 0)
        {
            return [];
        }

        RequireJsonContentType(ctx);
        JsonObject body;
        try
        {
            body = JsonNode.Parse(text) as JsonObject ?? throw new BadRequestException("request body must be a JSON object");
        }
        catch (System.Text.Json.JsonException)
        {
            throw new BadRequestException("request body must be a JSON object");
        }

        var schema = RequestSchemas.GetOrAdd(path, p => VendorContracts.PylonRequest(p, "post", closed: false)
            ?? throw new InvalidOperationException($"Pylon's document has no request body for POST {p}"));
        if (VendorContracts.Violations(schema, text) is { Length: > 0 } violations)
        {
            throw new BadRequestException("invalid request body: " + violations.Replace('\n', ';'));
        }

        return body;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, NJsonSchema.JsonSchema> RequestSchemas = new(StringComparer.Ordinal);

    /// <summary>A user_id must name a user of the organisation (400 otherwise); null is the API token's user.</summary>
    private ApiResult? UnknownUser(string? userId) =>
        userId is null || _users.ContainsKey(userId) ? null : Error(400, "VALIDATION_ERROR", $"user {userId} not found");

    private void SetUser(Message m, string? userId)
    {
        var user = _users[userId ?? ApiUser.Id];
        (m.UserId, m.AuthorName, m.AuthorEmail) = (user.Id, user.Name, user.Email);
    }

    private static JsonNode ThreadJson(PylonThreadState t) => new JsonObject { ["id"] = t.Id, ["issue_id"] = t.IssueId, ["name"] = t.Name, ["source"] = "api" };

    private ApiResult Ok(JsonObject body)
    {
        body["request_id"] = NewId("req_");
        return new ApiResult(200, body);
    }

    private ApiResult NotFound(string what) => Error(404, "NOT_FOUND", $"{what} not found");

    private bool TryFind(HttpContext ctx, out Issue issue, out Message message, out ApiResult missing)
    {
        issue = null!;
        message = null!;
        missing = null!;
        if (!_issues.TryGetValue((string)ctx.Request.RouteValues["id"]!, out var i))
        {
            missing = NotFound("issue");
            return false;
        }

        issue = i;
        if (!i.ById.TryGetValue((string)ctx.Request.RouteValues["message_id"]!, out var m) || m.Deleted)
        {
            missing = NotFound("message");
            return false;
        }

        message = m;
        return true;
    }

    private Issue GetIssue(string issueId) =>
        _issues.TryGetValue(issueId, out var issue) ? issue : throw new KeyNotFoundException($"issue {issueId}");

    private PylonThreadState DefaultThread(Issue issue, string? name) =>
        issue.Threads.FirstOrDefault(t => t.IsDefault) ?? AddThread(issue, name ?? "Internal", isDefault: true);

    private static PylonThreadState AddThread(Issue issue, string name, bool isDefault)
    {
        var t = new PylonThreadState(NewId("thr_"), issue.Id, name, isDefault);
        issue.Threads.Add(t);
        return t;
    }

    private sealed class Issue(string id, PylonContact contact)
    {
        public string Id { get; } = id;
        public PylonContact Contact { get; } = contact;
        public List<PylonThreadState> Threads { get; } = [];
        public List<Message> Messages { get; } = [];
        public Dictionary<string, Message> ById { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Message(string id, string issueId, SimMessageKind kind, string html, DateTimeOffset timestamp)
    {
        public string Id { get; } = id;
        public string IssueId { get; } = issueId;
        public SimMessageKind Kind { get; } = kind;
        public string Html { get; set; } = html;
        public DateTimeOffset Timestamp { get; } = timestamp;
        public List<string> FileUrls { get; set; } = [];
        public string AuthorName { get; set; } = "";
        public string? AuthorEmail { get; set; }
        public string? ContactId { get; set; }
        public string? UserId { get; set; }
        public string Source { get; set; } = "api";
        public string? ThreadId { get; set; }
        public string? ReplyTo { get; set; }
        public bool Redacted { get; set; }
        public DateTimeOffset? RedactedAt { get; set; }
        public bool Deleted { get; set; }
        public DateTimeOffset? DeletedAt { get; set; }

        public PylonMessageState Snapshot() => new(Id, IssueId, Kind, ThreadId is not null, ThreadId, Html, FileUrls.ToList(), AuthorName, AuthorEmail,
            ContactId, UserId, Source, Timestamp, ReplyTo, Redacted, RedactedAt, Deleted, DeletedAt, ThreadId is null && ContactId is null);

        // The `Message` schema: author {name, avatar_url, contact | user}, file_urls, id, is_private, message_html, source, thread_id (notes only), timestamp.
        public JsonObject ToJson()
        {
            var author = new JsonObject { ["name"] = AuthorName, ["avatar_url"] = "" };
            if (ContactId is not null)
            {
                author["contact"] = new JsonObject { ["id"] = ContactId, ["email"] = AuthorEmail };
            }
            else
            {
                author["user"] = new JsonObject { ["id"] = UserId, ["email"] = AuthorEmail };
            }

            var o = new JsonObject
            {
                ["author"] = author,
                ["file_urls"] = new JsonArray(FileUrls.Select(f => (JsonNode)f).ToArray()),
                ["id"] = Id,
                ["is_private"] = ThreadId is not null,
                ["message_html"] = Html,
                ["source"] = Source,
                ["timestamp"] = Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            };
            if (ThreadId is not null)
            {
                o["thread_id"] = ThreadId;
            }

            return o;
        }
    }
}

/// <summary>A Pylon user (agent) as an author.</summary>
public sealed record PylonMessageAuthor(string Id, string Name, string Email);
