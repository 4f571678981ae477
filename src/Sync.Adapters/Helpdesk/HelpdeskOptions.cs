using System.ComponentModel.DataAnnotations;
using MessageSync.Adapters.Http;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Helpdesk;

/// <summary>Section <c>Sync:Helpdesk</c>. Validated at start.</summary>
public sealed class HelpdeskOptions : HttpPolicyOptions
{
    public const string SectionName = "Sync:Helpdesk";

    /// <summary>Endpoint classes. The helpdesk documents no limits, so none has a budget unless configured.</summary>
    public static class Endpoints
    {
        public const string List = "list", Retrieve = "retrieve", Create = "create";
    }

    /// <summary>The session JWT (agent role: it creates messages). Either this or <see cref="SessionTokenFile"/>.</summary>
    public string? SessionToken { get; set; }

    /// <summary>A file holding the session JWT, re-read when it changes (a renewed session needs no restart).</summary>
    public string? SessionTokenFile { get; set; }

    /// <summary>Messages per page, 1-100 (api-docs 002). Default 100: fewest requests for a full read.</summary>
    [Range(1, 100)]
    public int PageSize { get; set; } = 100;

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
}

public sealed class HelpdeskOptionsValidator : IValidateOptions<HelpdeskOptions>
{
    public ValidateOptionsResult Validate(string? name, HelpdeskOptions options)
    {
        var failures = options.ValidateHttp(HelpdeskOptions.SectionName).ToList();
        if (string.IsNullOrWhiteSpace(options.SessionToken) && string.IsNullOrWhiteSpace(options.SessionTokenFile))
        {
            failures.Add($"{HelpdeskOptions.SectionName}: set SessionToken or SessionTokenFile.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
