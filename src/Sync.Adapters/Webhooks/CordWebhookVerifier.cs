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

    private readonly SignedWebhook _signed = new("Cord", new SecretSource(options.Value.Secret, options.Value.SecretFile, timeProvider),
        TimestampHeader, SignatureHeader, TimeSpan.FromMilliseconds(1), hexAllowed: false, timeProvider);

    public SystemId System => SystemId.Cord;

    public WebhookOutcome Verify(Func<string, string?> header, ReadOnlySpan<byte> body) => _signed.Verify(header, body, Parse);

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
