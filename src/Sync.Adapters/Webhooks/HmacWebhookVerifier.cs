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
    public const string DefaultSignatureHeader = "X-MessageSync-Signature";
    public const string DefaultTimestampHeader = "X-MessageSync-Timestamp";

    private readonly SignedWebhook _signed = new(system.ToString(), new SecretSource(settings.Secret, settings.SecretFile, timeProvider),
        settings.TimestampHeader, settings.SignatureHeader, TimeSpan.FromSeconds(1), hexAllowed: true, timeProvider);

    public SystemId System => system;

    /// <summary>The JSON field naming the conversation.</summary>
    public string ConversationField => system switch
    {
        SystemId.Pylon => "issue_id",
        SystemId.Helpdesk => "ticket_id",
        _ => "thread_id",
    };

    public WebhookOutcome Verify(Func<string, string?> header, ReadOnlySpan<byte> body) => _signed.Verify(header, body, Parse);

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
}
