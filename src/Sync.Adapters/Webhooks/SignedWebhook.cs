using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MessageSync.Adapters.Http;

namespace MessageSync.Adapters.Webhooks;

/// <summary>Reads a verified body into an outcome (a hint, an acknowledgement or a malformed-payload refusal).</summary>
public delegate WebhookOutcome WebhookPayloadReader(ReadOnlySpan<byte> body);

/// <summary>
/// The signing every webhook MessageSync takes shares, Cord's own scheme (api-docs README): a timestamp header and a
/// signature header holding HMAC-SHA256(secret, timestamp + ":" + raw body), accepted within <see cref="Window"/> of
/// the receiver's clock either way, compared in constant time, and once (<see cref="ReplayGuard"/>). What differs per
/// system is the header names, the timestamp's unit and the signature's encodings.
/// </summary>
public sealed class SignedWebhook(
    string systemName, SecretSource secret, string timestampHeader, string signatureHeader, TimeSpan timestampUnit, bool hexAllowed,
    TimeProvider? timeProvider = null)
{
    public const int MaxBodyBytes = 1024 * 1024;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ReplayGuard _replays = new(Window, timeProvider);

    public WebhookOutcome Verify(Func<string, string?> header, ReadOnlySpan<byte> body, WebhookPayloadReader read)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(read);
        if (secret.Current() is not { } key)
        {
            return new WebhookRejected(WebhookRejectionReason.NotConfigured, $"{systemName} webhook secret is not configured.");
        }

        if (body.Length > MaxBodyBytes)
        {
            return new WebhookRejected(WebhookRejectionReason.TooLarge, $"body of {body.Length} bytes exceeds {MaxBodyBytes}.");
        }

        var timestamp = header(timestampHeader)?.Trim();
        if (string.IsNullOrEmpty(timestamp) || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var units))
        {
            return new WebhookRejected(WebhookRejectionReason.MissingTimestamp, $"{timestampHeader} is missing or not a number.");
        }

        var signature = header(signatureHeader)?.Trim();
        if (string.IsNullOrEmpty(signature))
        {
            return new WebhookRejected(WebhookRejectionReason.MissingSignature, $"{signatureHeader} is missing.");
        }

        if (!SignatureMatches(key, timestamp, body, signature, hexAllowed))
        {
            return new WebhookRejected(WebhookRejectionReason.BadSignature, "signature does not match.");
        }

        // Checked after the signature so a forged request learns nothing about the clock.
        var signedAt = DateTimeOffset.UnixEpoch + TimeSpan.FromTicks(Math.Clamp(units, 0, DateTimeOffset.MaxValue.UtcTicks / 2 / timestampUnit.Ticks) * timestampUnit.Ticks);
        var age = _time.GetUtcNow() - signedAt;
        if (age.Duration() > Window)
        {
            return new WebhookRejected(WebhookRejectionReason.StaleTimestamp, $"timestamp is {age.TotalSeconds:0} s away from now (window {Window.TotalMinutes} min).");
        }

        var outcome = read(body);
        return outcome is WebhookRejected || _replays.FirstSeen(signature, signedAt)
            ? outcome
            : new WebhookRejected(WebhookRejectionReason.Replayed, "this signed delivery was accepted before.");
    }

    /// <summary>HMAC-SHA256(secret, timestamp ":" body) against a base64 (or, where allowed, hex) signature, in constant time.</summary>
    public static bool SignatureMatches(string secret, string timestamp, ReadOnlySpan<byte> body, string signature, bool hexAllowed)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(signature);
        var prefix = Encoding.UTF8.GetBytes(timestamp + ":");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        var text = hexAllowed && signature.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase) ? signature[7..] : signature;
        return Decode(text, hexAllowed) is { } given && CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private static byte[]? Decode(string text, bool hexAllowed)
    {
        try
        {
            // 64 hex digits is unambiguous: base64 of 32 bytes is 44 characters.
            return hexAllowed && text.Length == 64 ? Convert.FromHexString(text) : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
