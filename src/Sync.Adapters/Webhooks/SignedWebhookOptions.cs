using System.ComponentModel.DataAnnotations;
using MessageSync.Adapters.Http;

namespace MessageSync.Adapters.Webhooks;

/// <summary>
/// The options of a system whose webhooks MessageSync's own signed format carries (Pylon and the helpdesk sign nothing
/// themselves: Webhooks/README.md), beside its HTTP behaviour.
/// </summary>
public abstract class SignedWebhookOptions : HttpPolicyOptions
{
    /// <summary>Secret of the webhook signature (HMAC-SHA256 of timestamp ":" raw body; see Webhooks/README.md). Webhooks are refused when unset.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>A file holding <see cref="WebhookSecret"/>.</summary>
    public string? WebhookSecretFile { get; set; }

    /// <summary>Header carrying the signature, hex or base64. Default "X-MessageSync-Signature".</summary>
    [Required(AllowEmptyStrings = false)]
    public string WebhookSignatureHeader { get; set; } = "X-MessageSync-Signature";

    /// <summary>Header carrying the Unix time in seconds the webhook was signed at. Default "X-MessageSync-Timestamp".</summary>
    [Required(AllowEmptyStrings = false)]
    public string WebhookTimestampHeader { get; set; } = "X-MessageSync-Timestamp";

    /// <summary>What the verifier needs of these settings.</summary>
    public HmacWebhookSettings ToSigning() => new(WebhookSecret, WebhookSecretFile, WebhookSignatureHeader, WebhookTimestampHeader);
}
