using System.Security.Cryptography;
using System.Text;
using MessageSync.Adapters.Webhooks;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Tests;

public class HmacWebhookVerifierTests
{
    private const string Secret = "whsec";

    private static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

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
