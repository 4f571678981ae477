using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MessageSync.Simulators;

/// <summary>
/// Cord's REST messages API (api-docs 003, contracts/cord-*): <c>GET /v1/messages</c>,
/// <c>GET|POST /v1/threads/{threadID}/messages</c>, <c>GET|PUT|DELETE /v1/threads/{threadID}/messages/{messageID}</c>.
/// Server token: Bearer JWT, HS512 with the app secret, payload {app_id, iat, exp?}. Request bodies are
/// validated against Cord's own schema. Errors are <c>{"error":"code","message":"..."}</c> as Cord's REST API sends.
/// </summary>
public sealed class CordSimulator : SimulatorBase
{
    public const string ListAll = "list_all", ListThread = "list_thread", Get = "get", CreateKey = "create", Update = "update", DeleteKey = "delete";

    /// <summary>Page size when the client sends no <c>limit</c> (ListMessageParameters: "Defaults to 1000").</summary>
    public const int DefaultPageSize = 1000;

    private static readonly HashSet<string> ListAllParameters = ["limit", "token", "filter"];
    // ListThreadMessageParameters (contracts/cord-api-types-schema.json): sortDirection only, additionalProperties false.
    private static readonly HashSet<string> ListThreadParameters = ["sortDirection"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Thread> _threads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Message> _byId = new(StringComparer.Ordinal);
    private readonly List<Message> _all = [];
    private readonly Dictionary<string, CordFile> _files = new(StringComparer.Ordinal);
    private readonly List<CordWebhookDelivery> _deliveries = [];
    private readonly List<Task> _pendingWebhooks = [];
    // One client for the process: webhook deliveries are rare and short.
    private static readonly HttpClient WebhookClient = new() { Timeout = TimeSpan.FromSeconds(10) };

    internal CordSimulator(SimulatorOptions options)
        : base(options)
    {
    }

    public override IReadOnlyList<string> EndpointKeys { get; } = [ListAll, ListThread, Get, CreateKey, Update, DeleteKey];

    /// <summary>Every webhook delivery attempted, in order of completion.</summary>
    public IReadOnlyList<CordWebhookDelivery> WebhookDeliveries
    {
        get
        {
            lock (_gate)
            {
                return _deliveries.ToList();
            }
        }
    }

    /// <summary>A server token as Cord's SDK mints it: HS512, payload {app_id, iat, exp}.</summary>
    public static string MintToken(SimulatorOptions options, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = options.Time.GetUtcNow();
        return Jwt.Sign(new JsonObject
        {
            ["app_id"] = options.CordAppId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + (lifetime ?? TimeSpan.FromMinutes(1))).ToUnixTimeSeconds(),
        }, options.CordSecret, "HS512");
    }

    /// <summary>Creates a thread. Throws if it exists.</summary>
    public CordThreadState CreateThread(string threadId, string name = "Sim thread", string? url = null, string groupId = "sim_group", IReadOnlyDictionary<string, object>? metadata = null)
    {
        lock (_gate)
        {
            if (_threads.ContainsKey(threadId))
            {
                throw new InvalidOperationException($"thread {threadId} exists");
            }

            var t = new Thread(threadId, name, url ?? $"https://app.example.com/threads/{threadId}", groupId)
            {
                Metadata = metadata is null ? [] : new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            };
            _threads[threadId] = t;
            return t.Snapshot();
        }
    }

    /// <summary>Uploads a file that a message can then attach by id (Cord's file API, in-process).</summary>
    public CordFile UploadFile(string name, string mimeType, long size)
    {
        var id = Guid.NewGuid().ToString();
        var file = new CordFile(id, name, mimeType, size, $"https://files.cord.sim/{id}/{Uri.EscapeDataString(name)}?Expires=86400&Signature=sim");
        lock (_gate)
        {
            _files[id] = file;
        }

        return file;
    }

    /// <summary>Adds a message as a person in the Cord UI would, with plain text as one paragraph; fires the webhook.</summary>
    public CordMessageState AddMessage(string threadId, string authorId, string text, string? messageId = null, IReadOnlyList<string>? fileIds = null, IReadOnlyDictionary<string, object>? metadata = null) =>
        AddMessageContent(threadId, authorId, CordContent.Paragraph(text).ToJsonString(), messageId, fileIds, metadata);

    /// <summary>Adds a message with structured content (a <c>MessageContent</c> JSON array); fires the webhook.</summary>
    public CordMessageState AddMessageContent(string threadId, string authorId, string contentJson, string? messageId = null, IReadOnlyList<string>? fileIds = null, IReadOnlyDictionary<string, object>? metadata = null)
    {
        var content = JsonNode.Parse(contentJson) as JsonArray ?? throw new ArgumentException("content must be a JSON array", nameof(contentJson));
        Message m;
        lock (_gate)
        {
            var thread = _threads.TryGetValue(threadId, out var t) ? t : throw new KeyNotFoundException($"thread {threadId}");
            var id = messageId ?? Guid.NewGuid().ToString();
            if (_byId.ContainsKey(id))
            {
                throw new InvalidOperationException($"message {id} exists");
            }

            m = new Message(id, thread, authorId, Now) { Content = content };
            foreach (var f in fileIds ?? [])
            {
                var file = _files.TryGetValue(f, out var x) ? x : throw new KeyNotFoundException($"file {f}");
                m.Attachments.Add(new CordAttachment("file", file.Id, file.Name, file.Url, file.MimeType, file.Size));
            }

            m.Metadata = metadata is null ? [] : new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
            m.RefreshLinkPreviews();
            Insert(m);
        }

        QueueWebhook(m);
        return m.Snapshot();
    }

    /// <summary>Adds a reaction as a person would.</summary>
    public void AddReaction(string threadId, string messageId, string reaction, string userId)
    {
        lock (_gate)
        {
            var m = _byId.TryGetValue(messageId, out var x) && x.Thread.Id == threadId ? x : throw new KeyNotFoundException($"message {messageId}");
            if (!m.Reactions.Any(r => r.Reaction == reaction && r.UserId == userId))
            {
                m.Reactions.Add(new CordReaction(reaction, userId, Now));
            }
        }
    }

    /// <summary>Every message of a thread in creation order, soft- and hard-deleted ones included.</summary>
    public IReadOnlyList<CordMessageState> GetMessages(string threadId)
    {
        lock (_gate)
        {
            return (_threads.TryGetValue(threadId, out var t) ? t : throw new KeyNotFoundException($"thread {threadId}")).Messages.Select(m => m.Snapshot()).ToList();
        }
    }

    /// <summary>Every thread with its messages.</summary>
    public IReadOnlyList<CordThreadState> GetState()
    {
        lock (_gate)
        {
            return _threads.Values.Select(t => t.Snapshot()).ToList();
        }
    }

    internal async ValueTask DisposeWebhooksAsync()
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _pendingWebhooks];
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    internal override void Map(WebApplication app)
    {
        app.MapGet("/v1/messages", Api(ListAll, HandleListAll));
        app.MapGet("/v1/threads/{threadID}/messages", Api(ListThread, HandleListThread));
        app.MapPost("/v1/threads/{threadID}/messages", Api(CreateKey, HandleCreate));
        app.MapGet("/v1/threads/{threadID}/messages/{messageID}", Api(Get, HandleGet));
        app.MapPut("/v1/threads/{threadID}/messages/{messageID}", Api(Update, HandleUpdate));
        app.MapDelete("/v1/threads/{threadID}/messages/{messageID}", Api(DeleteKey, HandleDelete));
        MapFaultEndpoints(app);
        app.MapGet("/_sim/state", ctx => WriteAsync(ctx, new ApiResult(200, StateJson())));
        app.MapPost("/_sim/conversations", SimCreateThread);
        app.MapPost("/_sim/messages", SimAddMessage);
        app.MapPost("/_sim/files", SimUploadFile);
    }

    private protected override ValueTask<ApiResult?> AuthenticateAsync(HttpContext ctx, string endpointKey)
    {
        var claims = Jwt.Validate(Jwt.Bearer(ctx), Options.CordSecret, "HS512", Now, out var reason);
        if (claims is null || Str(claims, "app_id") != Options.CordAppId)
        {
            return ValueTask.FromResult<ApiResult?>(Error(401, "invalid_authorization", claims is null ? reason : "unknown app_id"));
        }

        return ValueTask.FromResult<ApiResult?>(null);
    }

    private protected override ApiResult Error(int status, string code, string message) =>
        new(status, new JsonObject { ["error"] = code == "VALIDATION_ERROR" ? "invalid_request" : code.ToLowerInvariant(), ["message"] = message });

    private Task<ApiResult> HandleListAll(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        var unknown = q.Keys.FirstOrDefault(k => !ListAllParameters.Contains(k));
        if (unknown is not null)
        {
            return Task.FromResult(Error(400, "invalid_request", $"unknown query parameter {unknown}"));
        }

        if (!TryLimit(ctx, out var limit, out var bad) || !Cursor.TryDecode(q["token"], "cord:all", out var offset))
        {
            return Task.FromResult(bad ?? Error(400, "invalid_request", "invalid pagination token"));
        }

        Func<Message, bool> match = _ => true;
        if (q.ContainsKey("filter"))
        {
            if (!TryFilter(q["filter"].ToString(), out var f))
            {
                return Task.FromResult(Error(400, "invalid_request", "filter must be a JSON object with metadata, location or authorID"));
            }

            match = f;
        }

        lock (_gate)
        {
            return Task.FromResult(Page(_all, offset, limit, m => !m.HardDeleted && match(m), "cord:all"));
        }
    }

    private Task<ApiResult> HandleListThread(HttpContext ctx)
    {
        // api-docs 003: the whole thread as a plain JSON array of message objects, no pagination object; the only
        // parameter is sortDirection (ListThreadMessageParameters, "descending" by default). Anything else, limit and
        // token included (they belong to GET /v1/messages), is refused as an unknown field.
        var q = ctx.Request.Query;
        var unknown = q.Keys.FirstOrDefault(k => !ListThreadParameters.Contains(k));
        if (unknown is not null)
        {
            return Task.FromResult(Error(400, "invalid_request", $"unknown field {unknown} in the query; ListThreadMessageParameters allows sortDirection only"));
        }

        if (q.TryGetValue("sortDirection", out var given) && (given.Count != 1 || given[0] is not ("ascending" or "descending")))
        {
            return Task.FromResult(Error(400, "invalid_request", "sortDirection must be ascending or descending"));
        }

        var ascending = given.Count == 1 && given[0] == "ascending";
        var threadId = (string)ctx.Request.RouteValues["threadID"]!;
        lock (_gate)
        {
            if (!_threads.TryGetValue(threadId, out var thread))
            {
                return Task.FromResult(Error(404, "thread_not_found", $"thread {threadId} not found"));
            }

            var visible = thread.Messages.Where(m => !m.HardDeleted);
            var ordered = ascending ? visible : visible.Reverse();
            return Task.FromResult(new ApiResult(200, new JsonArray(ordered.Select(m => (JsonNode)m.ToJson()).ToArray())));
        }
    }

    private Task<ApiResult> HandleGet(HttpContext ctx)
    {
        lock (_gate)
        {
            return Task.FromResult(TryFind(ctx, out var m, out var missing) ? new ApiResult(200, m.ToJson()) : missing);
        }
    }

    private async Task<ApiResult> HandleCreate(HttpContext ctx)
    {
        var body = await ValidatedBody(ctx, CordSchemas.Create);
        var threadId = (string)ctx.Request.RouteValues["threadID"]!;
        Message m;
        lock (_gate)
        {
            if (!_threads.TryGetValue(threadId, out var thread))
            {
                if (body["createThread"] is not JsonObject ct)
                {
                    return Error(400, "thread_not_found", $"thread {threadId} does not exist and createThread was not provided");
                }

                var group = Str(ct, "organizationID") ?? Str(ct, "groupID");
                if (group is null)
                {
                    return Error(400, "invalid_request", "createThread needs organizationID (or groupID)");
                }

                thread = new Thread(threadId, Str(ct, "name")!, Str(ct, "url")!, group)
                {
                    Metadata = ct["metadata"]?.DeepClone().AsObject() ?? [],
                    Location = ct["location"]?.DeepClone().AsObject() ?? [],
                };
            }

            var id = Str(body, "id") ?? Guid.NewGuid().ToString();
            if (_byId.ContainsKey(id))
            {
                return Error(409, "message_already_exists", $"message {id} already exists");
            }

            m = new Message(id, thread, Str(body, "authorID")!, ParseTime(body, "createdTimestamp") ?? Now);
            ApplyCommon(m, body);
            m.DeletedTimestamp = ParseTime(body, "deletedTimestamp");
            m.UpdatedTimestamp = ParseTime(body, "updatedTimestamp");
            if (ApplyAttachmentsAndReactions(m, body) is { } error)
            {
                return error;
            }

            _threads.TryAdd(thread.Id, thread);
            Insert(m);
        }

        QueueWebhook(m);
        // Cord answers a create with a confirmation, not the message (public REST docs; the seed shows none).
        return new ApiResult(200, new JsonObject { ["success"] = true, ["message"] = $"✅ You successfully created message {m.Id}", ["messageID"] = m.Id });
    }

    private async Task<ApiResult> HandleUpdate(HttpContext ctx)
    {
        var body = await ValidatedBody(ctx, CordSchemas.Update);
        lock (_gate)
        {
            if (!TryFind(ctx, out var m, out var missing))
            {
                return missing;
            }

            if (Str(body, "id") is { } newId && newId != m.Id)
            {
                return Error(400, "invalid_request", "a message id cannot be changed");
            }

            var contentChanged = body["content"] is JsonArray c && !JsonNode.DeepEquals(c, m.Content);
            // Validate the reaction/attachment changes on a copy so a rejected request changes nothing.
            var trial = m.Clone();
            if (ApplyAttachmentsAndReactions(trial, body) is { } error)
            {
                return error;
            }

            m.CopyFrom(trial);
            ApplyCommon(m, body);
            if (body.ContainsKey("authorID"))
            {
                m.AuthorId = Str(body, "authorID")!;
            }

            if (body.ContainsKey("createdTimestamp"))
            {
                m.CreatedTimestamp = ParseTime(body, "createdTimestamp")!.Value;
            }

            // api-docs 003: deleted "true without providing a value for deletedTimestamp" means now, so a given
            // deletedTimestamp (null included) wins over deleted.
            if (body.ContainsKey("deletedTimestamp"))
            {
                m.DeletedTimestamp = ParseTime(body, "deletedTimestamp");
            }
            else if (Bool(body, "deleted") is { } deleted)
            {
                m.DeletedTimestamp = deleted ? m.DeletedTimestamp ?? Now : null;
            }

            if (body.ContainsKey("updatedTimestamp"))
            {
                m.UpdatedTimestamp = ParseTime(body, "updatedTimestamp");
            }
            else if (contentChanged)
            {
                m.UpdatedTimestamp = Now;
            }

            return new ApiResult(200, new JsonObject { ["success"] = true, ["message"] = $"✅ You successfully updated message {m.Id}" });
        }
    }

    private Task<ApiResult> HandleDelete(HttpContext ctx)
    {
        lock (_gate)
        {
            if (!TryFind(ctx, out var m, out var missing))
            {
                return Task.FromResult(missing);
            }

            // Removed for good: no longer served, the id is free again; /_sim/state still shows the tombstone.
            m.HardDeleted = true;
            _byId.Remove(m.Id);
            return Task.FromResult(new ApiResult(200, new JsonObject { ["success"] = true, ["message"] = $"✅ You successfully deleted message {m.Id}" }));
        }
    }

    private static async Task<JsonObject> ValidatedBody(HttpContext ctx, NJsonSchema.JsonSchema schema)
    {
        RequireJsonContentType(ctx);
        var text = await ReadTextAsync(ctx);
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is null)
        {
            throw new BadRequestException("request body must be a JSON object");
        }

        var errors = schema.Validate(text);
        if (errors.Count > 0)
        {
            throw new BadRequestException("invalid request body: " + string.Join("; ", errors.Select(e => $"{e.Path} {e.Kind}")));
        }

        return body;
    }

    private static void ApplyCommon(Message m, JsonObject body)
    {
        if (body["content"] is JsonArray content)
        {
            m.Content = content.DeepClone().AsArray();
        }

        if (body.ContainsKey("type"))
        {
            m.Type = Str(body, "type")!;
        }

        if (body.ContainsKey("url"))
        {
            m.Url = Str(body, "url");
        }

        if (body.ContainsKey("metadata"))
        {
            m.Metadata = body["metadata"]!.DeepClone().AsObject();
        }

        if (body.ContainsKey("extraClassnames"))
        {
            m.ExtraClassnames = Str(body, "extraClassnames");
        }

        if (body.ContainsKey("iconURL"))
        {
            m.IconUrl = Str(body, "iconURL");
        }

        if (body.ContainsKey("translationKey"))
        {
            m.TranslationKey = Str(body, "translationKey");
        }

        if (Bool(body, "skipLinkPreviews") is { } skip)
        {
            m.SkipLinkPreviews = skip;
        }

        if (body.ContainsKey("content"))
        {
            m.RefreshLinkPreviews();
        }
    }

    private ApiResult? ApplyAttachmentsAndReactions(Message m, JsonObject body)
    {
        var add = (body["addReactions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var remove = (body["removeReactions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (add.Any(a => remove.Any(r => Str(r, "reaction") == Str(a, "reaction") && Str(r, "userID") == Str(a, "userID"))))
        {
            return Error(400, "invalid_request", "a reaction cannot be both added and removed in one request");
        }

        foreach (var r in remove)
        {
            m.Reactions.RemoveAll(x => x.Reaction == Str(r, "reaction") && x.UserId == Str(r, "userID"));
        }

        foreach (var a in add)
        {
            var reaction = Str(a, "reaction")!;
            var user = Str(a, "userID")!;
            var at = ParseTime(a, "timestamp");
            var existing = m.Reactions.FindIndex(x => x.Reaction == reaction && x.UserId == user);
            if (existing < 0)
            {
                m.Reactions.Add(new CordReaction(reaction, user, at ?? Now));
            }
            else if (at is not null)
            {
                m.Reactions[existing] = m.Reactions[existing] with { Timestamp = at.Value };
            }
        }

        var addFiles = (body["addAttachments"] as JsonArray)?.OfType<JsonObject>().Select(a => Str(a, "id")!).ToList() ?? [];
        var removeAttachments = (body["removeAttachments"] as JsonArray)?.OfType<JsonObject>().Select(a => (Type: Str(a, "type")!, Id: Str(a, "id")!)).ToList() ?? [];
        if (addFiles.Any(f => removeAttachments.Contains(("file", f))))
        {
            return Error(400, "invalid_request", "an attachment cannot be both added and removed in one request");
        }

        foreach (var (type, id) in removeAttachments)
        {
            m.Attachments.RemoveAll(x => x.Type == type && x.Id == id);
        }

        foreach (var f in addFiles)
        {
            if (!_files.TryGetValue(f, out var file))
            {
                return Error(400, "invalid_file", $"file {f} not found");
            }

            if (m.Attachments.Any(x => x.Type == "file" && x.Id == f))
            {
                return Error(400, "invalid_request", $"file {f} is already attached");
            }

            m.Attachments.Add(new CordAttachment("file", file.Id, file.Name, file.Url, file.MimeType, file.Size));
        }

        return null;
    }

    private static ApiResult Page(List<Message> list, int offset, int limit, Func<Message, bool> visible, string scope)
    {
        var total = 0;
        foreach (var x in list)
        {
            total += visible(x) ? 1 : 0;
        }

        var page = new JsonArray();
        var step = 0;
        for (; offset + step < list.Count && page.Count < limit; step++)
        {
            var m = list[offset + step];
            if (visible(m))
            {
                page.Add(m.ToJson());
            }
        }

        var next = offset + step;
        var more = false;
        for (var j = next; j < list.Count && !more; j++)
        {
            more = visible(list[j]);
        }

        return new ApiResult(200, new JsonObject
        {
            ["messages"] = page,
            ["pagination"] = new JsonObject { ["token"] = more ? Cursor.Encode(scope, next) : null, ["total"] = total },
        });
    }

    private bool TryLimit(HttpContext ctx, out int limit, out ApiResult? error)
    {
        limit = DefaultPageSize;
        error = null;
        if (ctx.Request.Query.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            error = Error(400, "invalid_request", "limit must be a positive number");
            return false;
        }

        return true;
    }

    private static bool TryFilter(string text, out Func<Message, bool> match)
    {
        match = _ => true;
        JsonObject? f;
        try
        {
            f = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }

        if (f is null || f.Any(kv => kv.Key is not ("metadata" or "location" or "authorID")))
        {
            return false;
        }

        var author = Str(f, "authorID");
        var metadata = f["metadata"] as JsonObject;
        var location = Str(f, "location");
        match = m => (author is null || m.AuthorId == author)
            && (metadata is null || metadata.All(kv => JsonNode.DeepEquals(kv.Value, m.Metadata[kv.Key])))
            && (location is null || m.Thread.Location.ToJsonString() == location);
        return true;
    }

    private bool TryFind(HttpContext ctx, out Message message, out ApiResult missing)
    {
        var threadId = (string)ctx.Request.RouteValues["threadID"]!;
        var id = (string)ctx.Request.RouteValues["messageID"]!;
        missing = null!;
        if (_byId.TryGetValue(id, out message!) && message.Thread.Id == threadId && !message.HardDeleted)
        {
            return true;
        }

        missing = _threads.ContainsKey(threadId)
            ? Error(404, "message_not_found", $"message {id} not found")
            : Error(404, "thread_not_found", $"thread {threadId} not found");
        return false;
    }

    private static DateTimeOffset? ParseTime(JsonObject o, string name) =>
        Str(o, name) is { } s ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;

    private void Insert(Message m)
    {
        m.Thread.Messages.Add(m);
        _all.Add(m);
        _byId[m.Id] = m;
    }

    private void QueueWebhook(Message m)
    {
        if (Options.CordWebhookUrl is not { } url)
        {
            return;
        }

        JsonObject payload;
        lock (_gate)
        {
            var message = m.ToJson();
            payload = new JsonObject
            {
                ["type"] = "thread-message-added",
                ["event"] = new JsonObject
                {
                    ["threadID"] = m.Thread.Id,
                    ["messageID"] = m.Id,
                    ["groupID"] = m.Thread.GroupId,
                    ["organizationID"] = m.Thread.GroupId,
                    ["applicationID"] = Options.CordAppId,
                    ["author"] = new JsonObject { ["id"] = m.AuthorId },
                    ["content"] = m.Content.DeepClone(),
                    ["plaintext"] = m.Plaintext,
                    ["url"] = message["url"]?.DeepClone(),
                    ["messageType"] = m.Type,
                    ["metadata"] = m.Metadata.DeepClone(),
                    ["message"] = message,
                    ["thread"] = m.Thread.ToJson(),
                },
                ["timestamp"] = Options.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["applicationID"] = Options.CordAppId,
            };
        }

        var task = DeliverAsync(url, m.Id, payload);
        lock (_gate)
        {
            _pendingWebhooks.RemoveAll(t => t.IsCompleted);
            _pendingWebhooks.Add(task);
        }
    }

    private async Task DeliverAsync(Uri url, string messageId, JsonObject payload)
    {
        await Task.Yield();
        var body = payload.ToJsonString();
        var timestamp = payload["timestamp"]!.GetValue<string>();
        // X-Cord-Signature = base64(HMAC-SHA256(secret, timestamp + ":" + raw body)) (api-docs README).
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Options.CordSecret), Encoding.UTF8.GetBytes($"{timestamp}:{body}")));
        var status = 0;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Cord-Timestamp", timestamp);
            request.Headers.Add("X-Cord-Signature", signature);
            using var response = await WebhookClient.SendAsync(request);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ObjectDisposedException)
        {
            // An unreachable receiver is recorded as status 0; Cord does not retry forever either.
        }

        lock (_gate)
        {
            _deliveries.Add(new CordWebhookDelivery(messageId, body, status));
        }
    }

    private async Task SimCreateThread(HttpContext ctx)
    {
        var body = await ReadJsonObjectAsync(ctx);
        var id = body is null ? null : Str(body, "thread_id") ?? Str(body, "id");
        if (body is null || id is null)
        {
            await WriteAsync(ctx, SimError("thread_id is required"));
            return;
        }

        try
        {
            var t = CreateThread(id, Str(body, "name") ?? "Sim thread", Str(body, "url"), Str(body, "group_id") ?? "sim_group");
            await WriteAsync(ctx, new ApiResult(200, new JsonObject { ["thread_id"] = t.Id }));
        }
        catch (InvalidOperationException e)
        {
            await WriteAsync(ctx, SimError(e.Message, 409));
        }
    }

    private async Task SimAddMessage(HttpContext ctx)
    {
        var body = await ReadJsonObjectAsync(ctx);
        if (body is null || Str(body, "thread_id") is not { } threadId || Str(body, "author_id") is not { } author
            || (Str(body, "text") is null && body["content"] is not JsonArray))
        {
            await WriteAsync(ctx, SimError("thread_id, author_id and text or content are required"));
            return;
        }

        try
        {
            var files = body["file_ids"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : null;
            var content = body["content"] is JsonArray c ? c.ToJsonString() : CordContent.Paragraph(Str(body, "text")!).ToJsonString();
            var m = AddMessageContent(threadId, author, content, Str(body, "id"), files);
            await WriteAsync(ctx, new ApiResult(200, new JsonObject { ["id"] = m.Id }));
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            await WriteAsync(ctx, SimError(e.Message, 409));
        }
    }

    private async Task SimUploadFile(HttpContext ctx)
    {
        var body = await ReadJsonObjectAsync(ctx);
        if (body is null || Str(body, "name") is not { } name)
        {
            await WriteAsync(ctx, SimError("name is required"));
            return;
        }

        var f = UploadFile(name, Str(body, "mime_type") ?? "application/octet-stream", (long)Num(body, "size"));
        await WriteAsync(ctx, new ApiResult(200, new JsonObject { ["id"] = f.Id, ["url"] = f.Url }));
    }

    private JsonObject StateJson()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["threads"] = new JsonArray(_threads.Values.Select(t =>
                {
                    var o = t.ToJson();
                    o["messages"] = new JsonArray(t.Messages.Select(m =>
                    {
                        var j = m.ToJson();
                        j["hard_deleted"] = m.HardDeleted;
                        return (JsonNode)j;
                    }).ToArray());
                    return (JsonNode)o;
                }).ToArray()),
            };
        }
    }

    private sealed class Thread(string id, string name, string url, string groupId)
    {
        public string Id { get; } = id;
        public string Name { get; } = name;
        public string Url { get; } = url;
        public string GroupId { get; } = groupId;
        public JsonObject Metadata { get; init; } = [];
        public JsonObject Location { get; init; } = [];
        public List<Message> Messages { get; } = [];

        public JsonObject ToJson() => new()
        {
            ["id"] = Id,
            ["name"] = Name,
            ["url"] = Url,
            ["groupID"] = GroupId,
            ["organizationID"] = GroupId,
            ["metadata"] = Metadata.DeepClone(),
            ["location"] = Location.DeepClone(),
        };

        public CordThreadState Snapshot() => new(Id, Name, Url, GroupId, ToDictionary(Metadata), Messages.Select(m => m.Snapshot()).ToList());
    }

    private sealed class Message(string id, Thread thread, string authorId, DateTimeOffset created)
    {
        public string Id { get; } = id;
        public Thread Thread { get; } = thread;
        public string AuthorId { get; set; } = authorId;
        public DateTimeOffset CreatedTimestamp { get; set; } = created;
        public JsonArray Content { get; set; } = [];
        public string Plaintext => CordContent.Plaintext(Content);
        public string Type { get; set; } = "user_message";
        public string? Url { get; set; }
        public JsonObject Metadata { get; set; } = [];
        public string? ExtraClassnames { get; set; }
        public string? IconUrl { get; set; }
        public string? TranslationKey { get; set; }
        public bool SkipLinkPreviews { get; set; }
        public DateTimeOffset? UpdatedTimestamp { get; set; }
        public DateTimeOffset? DeletedTimestamp { get; set; }
        public bool HardDeleted { get; set; }
        public List<CordReaction> Reactions { get; private set; } = [];
        public List<CordAttachment> Attachments { get; private set; } = [];

        public Message Clone() => new(Id, Thread, AuthorId, CreatedTimestamp) { Reactions = [.. Reactions], Attachments = [.. Attachments] };

        public void CopyFrom(Message other)
        {
            Reactions = other.Reactions;
            Attachments = other.Attachments;
        }

        /// <summary>Cord previews each link in the content unless skipLinkPreviews; previews follow content edits.</summary>
        public void RefreshLinkPreviews()
        {
            var urls = SkipLinkPreviews ? [] : CordContent.Links(Content).Distinct().ToList();
            Attachments.RemoveAll(a => a.Type == "link_preview" && !urls.Contains(a.Url));
            foreach (var u in urls.Where(u => !Attachments.Any(a => a.Type == "link_preview" && a.Url == u)))
            {
                Attachments.Add(new CordAttachment("link_preview", Guid.NewGuid().ToString(), null, u, null, null));
            }
        }

        public CordMessageState Snapshot() => new(Id, Thread.Id, AuthorId, Thread.GroupId, Content.ToJsonString(), Plaintext, Type, Url, ToDictionary(Metadata),
            ExtraClassnames, IconUrl, CreatedTimestamp, UpdatedTimestamp, DeletedTimestamp, HardDeleted, Reactions.ToList(), Attachments.ToList());

        // CoreMessageData: every required field, nothing else (additionalProperties: false).
        public JsonObject ToJson() => new()
        {
            ["id"] = Id,
            ["threadID"] = Thread.Id,
            ["url"] = Url ?? Thread.Url,
            ["content"] = Content.DeepClone(),
            ["plaintext"] = Plaintext,
            ["authorID"] = AuthorId,
            ["organizationID"] = Thread.GroupId,
            ["groupID"] = Thread.GroupId,
            ["createdTimestamp"] = Rfc3339(CreatedTimestamp),
            ["deletedTimestamp"] = DeletedTimestamp is { } d ? Rfc3339(d) : null,
            ["updatedTimestamp"] = UpdatedTimestamp is { } u ? Rfc3339(u) : null,
            ["iconURL"] = IconUrl,
            ["type"] = Type,
            ["metadata"] = Metadata.DeepClone(),
            ["extraClassnames"] = ExtraClassnames,
            ["translationKey"] = TranslationKey,
            ["skipLinkPreviews"] = SkipLinkPreviews,
            ["seenBy"] = new JsonArray(),
            ["reactions"] = new JsonArray(Reactions.Select(r => (JsonNode)new JsonObject { ["reaction"] = r.Reaction, ["userID"] = r.UserId, ["timestamp"] = Rfc3339(r.Timestamp) }).ToArray()),
            ["attachments"] = new JsonArray(Attachments.Select(AttachmentJson).ToArray()),
        };

        private static JsonNode AttachmentJson(CordAttachment a) => a.Type == "file"
            ? new JsonObject { ["type"] = "file", ["id"] = a.Id, ["name"] = a.Name, ["url"] = a.Url, ["mimeType"] = a.MimeType, ["size"] = a.Size, ["uploadStatus"] = "uploaded" }
            : new JsonObject { ["type"] = "link_preview", ["id"] = a.Id, ["url"] = a.Url, ["title"] = null, ["description"] = null, ["imageURL"] = null };
    }

    private static Dictionary<string, object> ToDictionary(JsonObject o) =>
        o.ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v
            ? v.GetValueKind() switch
            {
                JsonValueKind.Number => (object)v.GetValue<double>(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => v.ToString(),
            }
            : (object)(kv.Value?.ToJsonString() ?? "null"), StringComparer.Ordinal);
}
