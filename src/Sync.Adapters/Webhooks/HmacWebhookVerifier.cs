using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Webhooks;

/// <summary>Where a system's webhook secret, signature header and timestamp header come from.</summary>
public sealed record HmacWebhookSettings(string? Secret, string? SecretFile, string SignatureHeader, string TimestampHeader = HmacWebhookVerifier.DefaultTimestampHeader);

/// <summary>
/// Pylon and helpdesk webhooks as MessageSync defines them (see Webhooks/README.md): the timestamp header carries the
/// Unix time in seconds, the signature header HMAC-SHA256(secret, timestamp + ":" + raw body) in hex or base64 (an
/// optional <c>sha256=</c> prefix is allowed), accepted within 5 minutes and once (<see cref="ReplayGuard"/>); the JSON
/// body names the conversation in <c>issue_id</c> (Pylon) or <c>ticket_id</c> (helpdesk).
/// </summary>
public sealed class HmacWebhookVerifier(SystemId system, HmacWebhookSettings settings, TimeProvider? timeProvider = null) : IWebhookVerifier
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const string DefaultSignatureHeader = "X-MessageSync-Signature";
    public const string DefaultTimestampHeader = "X-MessageSync-Timestamp";
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly SecretSource _secret = new(settings.Secret, settings.SecretFile, timeProvider);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ReplayGuard _replays = new(Window, timeProvider);

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

        var timestamp = header(settings.TimestampHeader)?.Trim();
        if (string.IsNullOrEmpty(timestamp) || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return new WebhookRejected(WebhookRejectionReason.MissingTimestamp, $"{settings.TimestampHeader} is missing or not a number of seconds.");
        }

        var signature = header(settings.SignatureHeader)?.Trim();
        if (string.IsNullOrEmpty(signature))
        {
            return new WebhookRejected(WebhookRejectionReason.MissingSignature, $"{settings.SignatureHeader} is missing.");
        }

        if (!SignatureMatches(secret, timestamp, body, signature))
        {
            return new WebhookRejected(WebhookRejectionReason.BadSignature, "signature does not match.");
        }

        // Checked after the signature so a forged request learns nothing about the clock.
        var signedAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        var age = _time.GetUtcNow() - signedAt;
        if (age.Duration() > Window)
        {
            return new WebhookRejected(WebhookRejectionReason.StaleTimestamp, $"timestamp is {age.TotalSeconds:0} s away from now (window {Window.TotalMinutes} min).");
        }

        var outcome = Parse(body);
        if (outcome is not WebhookRejected && !_replays.FirstSeen(signature, signedAt))
        {
            return new WebhookRejected(WebhookRejectionReason.Replayed, "this signed delivery was accepted before.");
        }

        return outcome;
    }

    private WebhookOutcome Parse(ReadOnlySpan<byte> body)
    {
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

    /// <summary>HMAC-SHA256(secret, timestamp ":" body) against a hex or base64 signature, compared in constant time.</summary>
    public static bool SignatureMatches(string secret, string timestamp, ReadOnlySpan<byte> body, string signature)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ":");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
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
