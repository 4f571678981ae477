using System.Net;
using System.Security.Cryptography;
using System.Text;
using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Cord.Models;
using MessageSync.Adapters.Helpdesk;
using MessageSync.Adapters.Http;
using MessageSync.Adapters.Pylon;
using MessageSync.Adapters.Pylon.Models;
using MessageSync.Adapters.Webhooks;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Tests;

public class ErrorTableTests
{
    [Theory]
    [InlineData(401, null, typeof(AuthenticationException))]
    [InlineData(403, """{"error":{"code":"TICKET_CLOSED","message":"closed"}}""", typeof(ConversationClosedException))]
    [InlineData(403, """{"error":{"code":"CLOSED_STATUS_SYSTEM_ONLY"}}""", typeof(PermanentApiException))]
    [InlineData(403, """{"error":{"code":"FORBIDDEN"}}""", typeof(AuthenticationException))]
    [InlineData(404, """{"errors":["issue not found"]}""", typeof(NotFoundException))]
    [InlineData(429, null, typeof(RateLimitedException))]
    [InlineData(500, "<html>oops</html>", typeof(TransientApiException))]
    [InlineData(503, null, typeof(TransientApiException))]
    [InlineData(400, """{"errors":["body_html is required"]}""", typeof(PermanentApiException))]
    [InlineData(409, null, typeof(PermanentApiException))]
    public void Status_and_documented_code_map_to_one_exception_type(int status, string? body, Type expected)
    {
        var ex = ApiErrorTable.FromResponse(SystemId.Helpdesk, (HttpStatusCode)status, body, TimeSpan.FromSeconds(3));
        Assert.IsType(expected, ex);
        Assert.Equal(SystemId.Helpdesk, ex.System);
    }

    [Fact]
    public void Closed_ticket_is_parked_not_retried()
    {
        var ex = Assert.IsType<ConversationClosedException>(ApiErrorTable.FromResponse(SystemId.Helpdesk, HttpStatusCode.Forbidden, """{"code":"TICKET_CLOSED"}""", null));
        Assert.False(ex.IsTransient);
        Assert.Equal("TICKET_CLOSED", ex.Code);
    }

    [Fact]
    public void Rate_limited_carries_retry_after()
    {
        var ex = Assert.IsType<RateLimitedException>(ApiErrorTable.FromResponse(SystemId.Pylon, HttpStatusCode.TooManyRequests, "", TimeSpan.FromSeconds(7)));
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.True(ex.IsTransient);
    }
}

public class MapperTests
{
    [Theory]
    [InlineData(true, null, false, MessageKind.InternalNote)]
    [InlineData(false, "thr_1", false, MessageKind.InternalNote)]
    [InlineData(null, "thr_1", true, MessageKind.InternalNote)]
    [InlineData(false, null, true, MessageKind.CustomerMessage)]
    [InlineData(null, null, false, MessageKind.AgentReply)]
    public void Pylon_kind_follows_privacy_then_author(bool? isPrivate, string? threadId, bool contact, MessageKind expected)
    {
        var message = new PylonMessage
        {
            Id = "m1",
            IsPrivate = isPrivate,
            ThreadId = threadId,
            Author = contact ? new PylonMessageAuthor { Contact = new PylonMiniContact { Id = "c1", Email = "c@x" } } : new PylonMessageAuthor { User = new PylonMiniUser { Id = "u1" } },
            MessageHtml = "<p>x</p>",
            Timestamp = "2025-01-01T00:00:00Z",
        };
        Assert.Equal(expected, PylonMapper.KindOf(message));
        Assert.Equal(expected, PylonMapper.ToObserved(message).Kind);
    }

    [Fact]
    public void Pylon_redacted_message_reads_as_redacted_and_marker_as_sync_id()
    {
        var id = Guid.NewGuid();
        var marked = PylonMapper.ToObserved(new PylonMessage { Id = "m", MessageHtml = Core.Content.SyncMarker.Append("<p>hi</p>", id), Timestamp = "2025-01-01T00:00:00Z" });
        Assert.Equal(id, marked.SyncId);
        Assert.DoesNotContain("data-sync-id", marked.BodyHtml, StringComparison.Ordinal);
        Assert.False(marked.IsRedacted);
        Assert.True(PylonMapper.ToObserved(new PylonMessage { Id = "r", MessageHtml = "", Timestamp = "2025-01-01T00:00:00Z" }).IsRedacted);
    }

    [Fact]
    public void Pylon_message_without_timestamp_is_a_malformed_response()
    {
        Assert.Throws<TransientApiException>(() => PylonMapper.ToObserved(new PylonMessage { Id = "m", MessageHtml = "<p>x</p>" }));
    }

    [Theory]
    [InlineData("request", MessageKind.CustomerMessage)]
    [InlineData("response", MessageKind.AgentReply)]
    [InlineData("note", MessageKind.InternalNote)]
    [InlineData("forward-ish", MessageKind.InternalNote)]
    public void Helpdesk_type_maps_to_kind(string type, MessageKind expected) => Assert.Equal(expected, HelpdeskMapper.KindOf(type));

    [Theory]
    [InlineData(MessageKind.CustomerMessage, "request")]
    [InlineData(MessageKind.AgentReply, "response")]
    [InlineData(MessageKind.InternalNote, "note")]
    [InlineData(MessageKind.SystemEvent, "note")]
    public void Helpdesk_kind_maps_to_type(MessageKind kind, string expected) => Assert.Equal(expected, HelpdeskMapper.TypeFor(kind));

    [Theory]
    [InlineData("user_message", false, "u1", MessageKind.InternalNote)]
    [InlineData("user_message", true, "agent_1", MessageKind.AgentReply)]
    [InlineData("user_message", true, "u1", MessageKind.CustomerMessage)]
    [InlineData("action_message", true, "agent_1", MessageKind.SystemEvent)]
    [InlineData("action_message", false, "u1", MessageKind.SystemEvent)]
    public void Cord_kind_depends_on_thread_visibility_and_agents(string type, bool visible, string author, MessageKind expected)
    {
        var link = Canon.Link(cordVisible: visible, agents: "agent_1");
        Assert.Equal(expected, CordMapper.KindOf(new CordMessage { Id = "m", Type = type, AuthorId = author }, link));
    }

    [Fact]
    public void Cord_metadata_id_deleted_timestamp_and_redaction_are_read()
    {
        var id = Guid.NewGuid();
        var json = $$$"""
            {"id":"ms-1","authorID":"u1","threadID":"th","type":"user_message","content":[{"type":"p","children":[{"text":"[redacted]"}]}],
             "createdTimestamp":"2025-01-01T00:00:00Z","deletedTimestamp":"2025-01-02T00:00:00Z","metadata":{"messagesync_id":"{{{id}}}"}}
            """;
        var message = System.Text.Json.JsonSerializer.Deserialize<CordMessage>(json, ApiConnection.Json)!;
        var observed = CordMapper.ToObserved(message, Canon.Link());
        Assert.Equal(id, observed.SyncId);
        Assert.True(observed.IsDeleted);
        Assert.True(observed.IsRedacted);
        Assert.Equal("ms-" + id.ToString("N"), CordMapper.MessageIdFor(id, "ms-"));
    }
}

public class CordTokenTests
{
    private static string B64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public void Server_token_matches_an_independently_built_HS512_jwt()
    {
        // Built by hand from Cord's published algorithm: base64url(header).base64url(payload), HMAC-SHA512 with the secret.
        const string header = """{"alg":"HS512","typ":"JWT"}""";
        const string payload = """{"app_id":"my-app","iat":1700000000,"exp":1700000300}""";
        var input = B64Url(Encoding.UTF8.GetBytes(header)) + "." + B64Url(Encoding.UTF8.GetBytes(payload));
        var expected = input + "." + B64Url(HMACSHA512.HashData(Encoding.UTF8.GetBytes("s3cret"), Encoding.UTF8.GetBytes(input)));

        var token = CordTokenProvider.Mint("my-app", "s3cret", DateTimeOffset.FromUnixTimeSeconds(1700000000), TimeSpan.FromMinutes(5));

        Assert.Equal(expected, token);
    }

    [Fact]
    public void Token_is_cached_and_renewed_before_expiry()
    {
        var time = new ManualTime(DateTimeOffset.FromUnixTimeSeconds(1700000000));
        var provider = new CordTokenProvider(Options.Create(new CordOptions
        {
            ApplicationId = "a", Secret = "s", TokenLifetime = TimeSpan.FromMinutes(5), TokenRenewBefore = TimeSpan.FromSeconds(30),
        }), time);
        var first = provider.Current();
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(first, provider.Current());
        time.Advance(TimeSpan.FromSeconds(31));
        var renewed = provider.Current();
        Assert.NotEqual(first, renewed);
        Assert.Equal(CordTokenProvider.Mint("a", "s", time.GetUtcNow(), TimeSpan.FromMinutes(5)), renewed);
    }
}

public class WebhookTests
{
    private const string Secret = "whsec";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1700000000000);

    private static CordWebhookVerifier Cord(ManualTime? time = null) =>
        new(Options.Create(new CordOptions { ApplicationId = "a", Secret = Secret }), time ?? new ManualTime(Now));

    private static string CordSignature(string timestamp, string body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(timestamp + ":" + body)));

    private static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    [Fact]
    public void Cord_thread_message_added_with_a_valid_signature_yields_a_hint()
    {
        const string body = """{"type":"thread-message-added","event":{"threadID":"th_42","message":{"id":"m1"}},"applicationID":"a"}""";
        var ts = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var outcome = Cord().Verify(Headers(("X-Cord-Timestamp", ts), ("X-Cord-Signature", CordSignature(ts, body))), Encoding.UTF8.GetBytes(body));
        Assert.Equal(new WebhookHint(SystemId.Cord, "th_42"), Assert.IsType<WebhookAccepted>(outcome).Hint);
    }

    [Fact]
    public void Cord_url_verification_is_acknowledged_without_a_hint()
    {
        const string body = """{"type":"url-verification","event":{}}""";
        var ts = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsType<WebhookAcknowledged>(Cord().Verify(Headers(("X-Cord-Timestamp", ts), ("X-Cord-Signature", CordSignature(ts, body))), Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData("bad-signature", WebhookRejectionReason.BadSignature)]
    [InlineData("stale", WebhookRejectionReason.StaleTimestamp)]
    [InlineData("malformed", WebhookRejectionReason.MalformedPayload)]
    [InlineData("no-signature", WebhookRejectionReason.MissingSignature)]
    [InlineData("no-timestamp", WebhookRejectionReason.MissingTimestamp)]
    [InlineData("tampered", WebhookRejectionReason.BadSignature)]
    public void Cord_bad_input_is_a_typed_rejection_never_a_hint(string fault, WebhookRejectionReason expected)
    {
        var body = fault == "malformed" ? """{"type":"thread-message-added","event":""" : """{"type":"thread-message-added","event":{"threadID":"th_1"}}""";
        var when = fault == "stale" ? Now - TimeSpan.FromMinutes(6) : Now;
        var ts = when.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = fault == "bad-signature" ? Convert.ToBase64String(new byte[32]) : CordSignature(ts, body);
        var sent = fault == "tampered" ? body.Replace("th_1", "th_2", StringComparison.Ordinal) : body;
        var headers = new List<(string, string)>();
        if (fault != "no-timestamp")
        {
            headers.Add(("X-Cord-Timestamp", ts));
        }

        if (fault != "no-signature")
        {
            headers.Add(("X-Cord-Signature", signature));
        }

        var outcome = Cord().Verify(Headers([.. headers]), Encoding.UTF8.GetBytes(sent));
        Assert.Equal(expected, Assert.IsType<WebhookRejected>(outcome).Reason);
    }

    [Theory]
    [InlineData(SystemId.Pylon, """{"issue_id":"iss_7"}""", "iss_7", true)]
    [InlineData(SystemId.Helpdesk, """{"ticket_id":"tkt_7"}""", "tkt_7", false)]
    public void Pylon_and_helpdesk_hmac_in_hex_or_base64_yield_a_hint(SystemId system, string body, string id, bool hex)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body));
        var signature = hex ? Convert.ToHexStringLower(mac) : Convert.ToBase64String(mac);
        var verifier = new HmacWebhookVerifier(system, new HmacWebhookSettings(Secret, null, "X-Sig"));
        var outcome = verifier.Verify(Headers(("X-Sig", signature)), Encoding.UTF8.GetBytes(body));
        Assert.Equal(new WebhookHint(system, id), Assert.IsType<WebhookAccepted>(outcome).Hint);
    }

    [Fact]
    public void Hmac_webhook_with_wrong_secret_or_missing_field_is_rejected()
    {
        var verifier = new HmacWebhookVerifier(SystemId.Pylon, new HmacWebhookSettings(Secret, null, "X-Sig"));
        const string body = """{"issue_id":"iss_7"}""";
        var forged = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("other"), Encoding.UTF8.GetBytes(body)));
        Assert.Equal(WebhookRejectionReason.BadSignature, Assert.IsType<WebhookRejected>(verifier.Verify(Headers(("X-Sig", forged)), Encoding.UTF8.GetBytes(body))).Reason);

        const string wrong = """{"ticket_id":"x"}""";
        var signed = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(wrong)));
        Assert.Equal(WebhookRejectionReason.MalformedPayload, Assert.IsType<WebhookRejected>(verifier.Verify(Headers(("X-Sig", signed)), Encoding.UTF8.GetBytes(wrong))).Reason);

        var unconfigured = new HmacWebhookVerifier(SystemId.Pylon, new HmacWebhookSettings(null, null, "X-Sig"));
        Assert.Equal(WebhookRejectionReason.NotConfigured, Assert.IsType<WebhookRejected>(unconfigured.Verify(Headers(("X-Sig", signed)), Encoding.UTF8.GetBytes(body))).Reason);
    }
}

public class PlumbingTests
{
    [Theory]
    [InlineData("http://h/v1/threads/t/messages?limit=10&token=abc", "/v1/threads/t/messages?limit=10&token=***")]
    [InlineData("http://h/issues/1/messages?cursor=c1&api_key=k", "/issues/1/messages?cursor=c1&api_key=***")]
    [InlineData("http://h/helpdesk/api/messages?ticket_id=t&page=2", "/helpdesk/api/messages?ticket_id=t&page=2")]
    public void Logged_paths_mask_secret_query_values(string url, string expected) =>
        Assert.Equal(expected, LoggingHandler.MaskedPathAndQuery(new Uri(url)));

    [Fact]
    public async Task Missing_required_fields_are_a_typed_malformed_response()
    {
        using var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"data":[{"author":{"name":"x"}}]}""") });
        using var http = new HttpClient(stub) { BaseAddress = new Uri("http://127.0.0.1/") };
        var client = new PylonClient(http, Options.Create(new PylonOptions()));
        var ex = await Assert.ThrowsAsync<TransientApiException>(() => client.GetMessagesPageAsync("iss", null, CancellationToken.None));
        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_larger_than_the_cap_is_refused_with_a_typed_error()
    {
        var huge = """{"data":[],"pad":" """ + new string('x', 200_000) + "\"}";
        using var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(huge) });
        using var http = new HttpClient(stub) { BaseAddress = new Uri("http://127.0.0.1/") };
        var client = new PylonClient(http, Options.Create(new PylonOptions { MaxResponseBytes = 64 * 1024 }));
        await Assert.ThrowsAsync<PermanentApiException>(() => client.GetMessagesPageAsync("iss", null, CancellationToken.None));
    }

    [Fact]
    public async Task Budget_waits_once_the_bucket_is_empty_and_counts_the_wait()
    {
        using var budget = new RateBudget(new Dictionary<string, int> { ["x"] = 60 }, scale: 60, burst: 1);
        Assert.False(await budget.AcquireAsync("x", CancellationToken.None));
        Assert.True(await budget.AcquireAsync("x", CancellationToken.None));
        Assert.False(await budget.AcquireAsync("unbudgeted", CancellationToken.None));
    }

    [Fact]
    public void Budget_is_lowered_at_once_when_the_response_says_less()
    {
        using var budget = new RateBudget(new Dictionary<string, int> { ["reply"] = 10 }, scale: 1, burst: 1);
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Add("X-Rate-Limit-Limit", "4");
        budget.Observe("reply", response.Headers);
        Assert.Equal(4, budget.LimitOf("reply"));
        response.Headers.Remove("X-Rate-Limit-Limit");
        response.Headers.Add("X-Rate-Limit-Limit", "8");
        budget.Observe("reply", response.Headers);
        Assert.Equal(4, budget.LimitOf("reply"));
    }
}
