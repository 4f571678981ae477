using System.Security.Cryptography;
using System.Text;
using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Webhooks;
using MessageSync.Core.Model;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Tests;

public class CordWebhookVerifierTests
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

    [Fact]
    public void The_same_cord_delivery_sent_again_is_refused_as_a_replay()
    {
        const string body = """{"type":"thread-message-added","event":{"threadID":"th_42"},"applicationID":"a"}""";
        var ts = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var headers = Headers(("X-Cord-Timestamp", ts), ("X-Cord-Signature", CordSignature(ts, body)));
        var verifier = Cord();

        Assert.IsType<WebhookAccepted>(verifier.Verify(headers, Encoding.UTF8.GetBytes(body)));
        Assert.Equal(WebhookRejectionReason.Replayed, Assert.IsType<WebhookRejected>(verifier.Verify(headers, Encoding.UTF8.GetBytes(body))).Reason);
    }
}
