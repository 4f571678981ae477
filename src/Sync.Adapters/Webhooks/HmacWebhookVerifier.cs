using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Webhooks;

/// <summary>Where a system's webhook secret and signature header come from.</summary>
public sealed record HmacWebhookSettings(string? Secret, string? SecretFile, string SignatureHeader);

/// <summary>
/// Pylon and helpdesk webhooks as MessageSync defines them (see Webhooks/README.md): the header carries
/// HMAC-SHA256(secret, raw body) in hex or base64 (an optional <c>sha256=</c> prefix is allowed); the JSON body names
/// the conversation in <c>issue_id</c> (Pylon) or <c>ticket_id</c> (helpdesk).
/// </summary>
public sealed class HmacWebhookVerifier(SystemId system, HmacWebhookSettings settings, TimeProvider? timeProvider = null) : IWebhookVerifier
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const string DefaultSignatureHeader = "X-MessageSync-Signature";

    private readonly SecretSource _secret = new(settings.Secret, settings.SecretFile, timeProvider);

    public SystemId System => system;

    /// <summary>The JSON field naming the conversation.</summary>
    public string ConversationField => system switch
    {
        SystemId.Pylon => "issue_id",
        SystemId.Helpdesk => "ticket_id",
        _ => "thread_id",
    };

    public WebhookOutcome Verify(Func<string, string?> header, ReadOnlySpan<byte> body)
    {
        if (_secret.Current() is not { } secret)
        {
            return new WebhookRejected(WebhookRejectionReason.NotConfigured, $"{system} webhook secret is not configured.");
        }

        if (body.Length > MaxBodyBytes)
        {
            return new WebhookRejected(WebhookRejectionReason.TooLarge, $"body of {body.Length} bytes exceeds {MaxBodyBytes}.");
        }

        var signature = header(settings.SignatureHeader)?.Trim();
        if (string.IsNullOrEmpty(signature))
        {
            return new WebhookRejected(WebhookRejectionReason.MissingSignature, $"{settings.SignatureHeader} is missing.");
        }

        if (!SignatureMatches(secret, body, signature))
        {
            return new WebhookRejected(WebhookRejectionReason.BadSignature, "signature does not match.");
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty(ConversationField, out var id)
                && id.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(id.GetString())
                ? new WebhookAccepted(new WebhookHint(system, id.GetString()!))
                : new WebhookRejected(WebhookRejectionReason.MalformedPayload, $"payload has no string \"{ConversationField}\".");
        }
        catch (JsonException ex)
        {
            return new WebhookRejected(WebhookRejectionReason.MalformedPayload, ex.Message);
        }
    }

    /// <summary>HMAC-SHA256(secret, body) against a hex or base64 signature, compared in constant time.</summary>
    public static bool SignatureMatches(string secret, ReadOnlySpan<byte> body, string signature)
    {
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        var text = signature.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase) ? signature[7..] : signature;
        return Decode(text) is { } given && CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private static byte[]? Decode(string text)
    {
        // 64 hex digits is unambiguous: base64 of 32 bytes is 44 characters.
        if (text.Length == 64)
        {
            try
            {
                return Convert.FromHexString(text);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
