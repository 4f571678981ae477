using System.ComponentModel.DataAnnotations;
using MessageSync.Adapters.Http;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Pylon;

/// <summary>Section <c>Sync:Pylon</c>. Validated at start (DataAnnotations and <see cref="PylonOptionsValidator"/>).</summary>
public sealed class PylonOptions : HttpPolicyOptions
{
    public const string SectionName = "Sync:Pylon";

    /// <summary>Endpoint classes and their documented limits per minute (api-docs 000).</summary>
    public static class Endpoints
    {
        public const string ListMessages = "list-messages", ListThreads = "list-threads", CreateThread = "create-thread",
            Redact = "redact", Reply = "reply", Note = "note", Delete = "delete";
    }

    public PylonOptions()
    {
        BaseUrl = "https://api.usepylon.com";
        Budgets = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
        {
            [Endpoints.ListMessages] = 20, [Endpoints.ListThreads] = 20, [Endpoints.CreateThread] = 20, [Endpoints.Redact] = 20,
            [Endpoints.Reply] = 10, [Endpoints.Note] = 10, [Endpoints.Delete] = 10,
        };
    }

    /// <summary>The API token (Bearer). Either this or <see cref="ApiTokenFile"/>.</summary>
    public string? ApiToken { get; set; }

    /// <summary>A file holding the API token (re-read when it changes).</summary>
    public string? ApiTokenFile { get; set; }

    /// <summary>Name of the internal thread MessageSync creates once per issue for mirrored notes. Default "MessageSync".</summary>
    [Required, StringLength(200, MinimumLength = 1)]
    public string SyncThreadName { get; set; } = "MessageSync";

    /// <summary>
    /// Messages asked for per page, sent as <c>limit</c>. Pylon documents no such parameter (api-docs 001), so the default
    /// 0 sends none and Pylon's own page size applies; a value is harmless if Pylon ignores it. Default 0.
    /// </summary>
    [Range(0, 1000)]
    public int PageSize { get; set; }

    /// <summary>Deprecated: use <c>Sync:People</c> (<c>PylonUserId</c>). Pylon user ids by e-mail; still read, with a warning at start.</summary>
    public Dictionary<string, string> UserIdsByEmail { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Deprecated: use <c>Sync:People</c> (<c>PylonContactId</c>). Pylon contact ids by e-mail; still read, with a warning at start.</summary>
    public Dictionary<string, string> ContactIdsByEmail { get; set; } = new(StringComparer.OrdinalIgnoreCase);

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

/// <summary>Rules that DataAnnotations cannot say: a token from somewhere, a usable base URL, positive budgets.</summary>
public sealed class PylonOptionsValidator : IValidateOptions<PylonOptions>
{
    public ValidateOptionsResult Validate(string? name, PylonOptions options)
    {
        var failures = options.ValidateHttp(PylonOptions.SectionName).ToList();
        if (string.IsNullOrWhiteSpace(options.ApiToken) && string.IsNullOrWhiteSpace(options.ApiTokenFile))
        {
            failures.Add($"{PylonOptions.SectionName}: set ApiToken or ApiTokenFile.");
        }
        else if (string.IsNullOrWhiteSpace(options.ApiToken) && !File.Exists(options.ApiTokenFile))
        {
            failures.Add($"{PylonOptions.SectionName}:ApiTokenFile '{options.ApiTokenFile}' does not exist.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
