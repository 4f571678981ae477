using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MessageSync.Adapters.Webhooks;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Tests;

/// <summary>Pylon and helpdesk webhooks as Webhooks/README.md defines them: timestamp + HMAC, once, within 5 minutes.</summary>
public class HmacWebhookVerifierTests
{
    private const string Secret = "whsec";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static HmacWebhookVerifier Verifier(SystemId system = SystemId.Pylon, ManualTime? time = null, string? secret = Secret) =>
        new(system, new HmacWebhookSettings(secret, null, "X-Sig", "X-Ts"), time ?? new ManualTime(Now));

    private static string Sign(string timestamp, string body, string secret = Secret, bool hex = true)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + ":" + body));
        return hex ? Convert.ToHexStringLower(mac) : Convert.ToBase64String(mac);
    }

    private static string Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static WebhookOutcome Send(HmacWebhookVerifier verifier, string body, string? timestamp, string? signature)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (timestamp is not null)
        {
            headers["X-Ts"] = timestamp;
        }

        if (signature is not null)
        {
            headers["X-Sig"] = signature;
        }

        return verifier.Verify(name => headers.GetValueOrDefault(name), Encoding.UTF8.GetBytes(body));
    }

    [Theory]
    [InlineData(SystemId.Pylon, """{"issue_id":"iss_7"}""", "iss_7", true)]
    [InlineData(SystemId.Helpdesk, """{"ticket_id":"tkt_7","event":"message.created"}""", "tkt_7", false)]
    public void A_signed_fresh_webhook_in_hex_or_base64_yields_a_hint(SystemId system, string body, string id, bool hex)
    {
        var ts = Seconds(Now);
        var outcome = Send(Verifier(system), body, ts, Sign(ts, body, hex: hex));
        Assert.Equal(new WebhookHint(system, id), Assert.IsType<WebhookAccepted>(outcome).Hint);
    }

    [Fact]
    public void The_same_delivery_sent_again_is_refused_as_a_replay_inside_the_window_and_as_stale_outside_it()
    {
        var time = new ManualTime(Now);
        var verifier = Verifier(time: time);
        const string body = """{"issue_id":"iss_7"}""";
        var ts = Seconds(Now);
        var signature = Sign(ts, body);

        Assert.IsType<WebhookAccepted>(Send(verifier, body, ts, signature));
        Assert.Equal(WebhookRejectionReason.Replayed, Assert.IsType<WebhookRejected>(Send(verifier, body, ts, signature)).Reason);
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(WebhookRejectionReason.StaleTimestamp, Assert.IsType<WebhookRejected>(Send(verifier, body, ts, signature)).Reason);

        // A new delivery of the same hint (a new timestamp, so a new signature) is accepted.
        var later = Seconds(time.GetUtcNow());
        Assert.IsType<WebhookAccepted>(Send(verifier, body, later, Sign(later, body)));
    }

    [Theory]
    [InlineData("no-timestamp", WebhookRejectionReason.MissingTimestamp)]
    [InlineData("bad-timestamp", WebhookRejectionReason.MissingTimestamp)]
    [InlineData("no-signature", WebhookRejectionReason.MissingSignature)]
    [InlineData("wrong-secret", WebhookRejectionReason.BadSignature)]
    [InlineData("body-only-signature", WebhookRejectionReason.BadSignature)]
    [InlineData("other-timestamp", WebhookRejectionReason.BadSignature)]
    [InlineData("future", WebhookRejectionReason.StaleTimestamp)]
    [InlineData("wrong-field", WebhookRejectionReason.MalformedPayload)]
    [InlineData("not-json", WebhookRejectionReason.MalformedPayload)]
    public void Bad_input_is_a_typed_rejection_never_a_hint(string fault, WebhookRejectionReason expected)
    {
        var body = fault switch { "wrong-field" => """{"ticket_id":"x"}""", "not-json" => "issue_id=iss_7", _ => """{"issue_id":"iss_7"}""" };
        var ts = Seconds(fault == "future" ? Now.AddMinutes(10) : Now);
        var signature = fault switch
        {
            "wrong-secret" => Sign(ts, body, "other"),
            "body-only-signature" => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body))),
            "other-timestamp" => Sign(Seconds(Now.AddSeconds(-1)), body),
            "no-signature" => null,
            _ => Sign(ts, body),
        };
        var timestamp = fault switch { "no-timestamp" => null, "bad-timestamp" => "yesterday", _ => ts };

        Assert.Equal(expected, Assert.IsType<WebhookRejected>(Send(Verifier(), body, timestamp, signature)).Reason);
    }

    [Fact]
    public void Without_a_secret_every_webhook_is_refused()
    {
        var ts = Seconds(Now);
        const string body = """{"issue_id":"iss_7"}""";
        Assert.Equal(WebhookRejectionReason.NotConfigured, Assert.IsType<WebhookRejected>(Send(Verifier(secret: null), body, ts, Sign(ts, body))).Reason);
    }
}
