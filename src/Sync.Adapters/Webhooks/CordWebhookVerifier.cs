using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Webhooks;

/// <summary>
/// Cord webhooks (api-docs README, from Cord's server SDK): <c>X-Cord-Timestamp</c> in milliseconds and
/// <c>X-Cord-Signature</c> = base64(HMAC-SHA256(application secret, timestamp + ":" + raw body)), accepted within
/// 5 minutes either way; the same delivery accepted before is refused as a replay (<see cref="ReplayGuard"/>).
/// <c>thread-message-added</c> yields the thread id; <c>url-verification</c> is acknowledged.
/// </summary>
public sealed class CordWebhookVerifier(IOptions<CordOptions> options, TimeProvider? timeProvider = null) : IWebhookVerifier
{
    public const string TimestampHeader = "X-Cord-Timestamp";
    public const string SignatureHeader = "X-Cord-Signature";
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    public const int MaxBodyBytes = 1024 * 1024;

    private readonly SecretSource _secret = new(options.Value.Secret, options.Value.SecretFile, timeProvider);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ReplayGuard _replays = new(Window, timeProvider);

    public SystemId System => SystemId.Cord;

    public WebhookOutcome Verify(Func<string, string?> header, ReadOnlySpan<byte> body)
    {
        if (_secret.Current() is not { } secret)
        {
            return new WebhookRejected(WebhookRejectionReason.NotConfigured, "Cord secret is not configured.");
        }

        if (body.Length > MaxBodyBytes)
        {
            return new WebhookRejected(WebhookRejectionReason.TooLarge, $"body of {body.Length} bytes exceeds {MaxBodyBytes}.");
        }

        var timestamp = header(TimestampHeader)?.Trim();
        if (string.IsNullOrEmpty(timestamp) || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var millis))
        {
            return new WebhookRejected(WebhookRejectionReason.MissingTimestamp, $"{TimestampHeader} is missing or not a number.");
        }

        var signature = header(SignatureHeader)?.Trim();
        if (string.IsNullOrEmpty(signature))
        {
            return new WebhookRejected(WebhookRejectionReason.MissingSignature, $"{SignatureHeader} is missing.");
        }

        if (!SignatureMatches(secret, timestamp, body, signature))
        {
            return new WebhookRejected(WebhookRejectionReason.BadSignature, "signature does not match.");
        }

        // Checked after the signature so an attacker learns nothing about the clock from a forged request.
        var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(millis, 0, 253402300799999));
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

    /// <summary>base64(HMAC-SHA256(secret, timestamp ":" body)), compared in constant time.</summary>
    public static bool SignatureMatches(string secret, string timestamp, ReadOnlySpan<byte> body, string signature)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ":");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        byte[] given;
        try
        {
            given = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private static WebhookOutcome Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                return new WebhookRejected(WebhookRejectionReason.MalformedPayload, "payload has no string \"type\".");
            }

            var type = typeElement.GetString()!;
            if (type != "thread-message-added")
            {
                // url-verification, notification-created and any later event: valid, nothing to poll.
                return new WebhookAcknowledged(type);
            }

            var threadId = root.TryGetProperty("event", out var ev) && ev.ValueKind == JsonValueKind.Object ? ThreadIdOf(ev) : null;
            return string.IsNullOrWhiteSpace(threadId)
                ? new WebhookRejected(WebhookRejectionReason.MalformedPayload, "thread-message-added without event.threadID.")
                : new WebhookAccepted(new WebhookHint(SystemId.Cord, threadId));
        }
        catch (JsonException ex)
        {
            return new WebhookRejected(WebhookRejectionReason.MalformedPayload, ex.Message);
        }
    }

    // Cord's event carries threadID; some SDK versions nest it under thread.id or message.threadID.
    private static string? ThreadIdOf(JsonElement ev)
    {
        if (ev.TryGetProperty("threadID", out var t) && t.ValueKind == JsonValueKind.String)
        {
            return t.GetString();
        }

        if (ev.TryGetProperty("thread", out var thread) && thread.ValueKind == JsonValueKind.Object
            && thread.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            return id.GetString();
        }

        if (ev.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
            && message.TryGetProperty("threadID", out var mt) && mt.ValueKind == JsonValueKind.String)
        {
            return mt.GetString();
        }

        return null;
    }
}
