using System.ComponentModel.DataAnnotations;
using MessageSync.Adapters.Http;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Cord;

/// <summary>Section <c>Sync:Cord</c>. Validated at start.</summary>
public sealed class CordOptions : HttpPolicyOptions
{
    public const string SectionName = "Sync:Cord";

    /// <summary>Endpoint classes. Cord documents no per-endpoint limits, so none has a budget unless configured.</summary>
    public static class Endpoints
    {
        public const string List = "list", Get = "get", Create = "create", Update = "update", Delete = "delete";
    }

    /// <summary>The two orders <c>sortDirection</c> takes (ListThreadMessageParameters).</summary>
    public const string Ascending = "ascending", Descending = "descending";

    public CordOptions()
    {
        BaseUrl = "https://api.cord.com";

        // A thread is read whole in one response (api-docs 003: no paging), so the cap is set for long threads; the
        // body is read message by message and never held as a whole.
        MaxResponseBytes = 256L * 1024 * 1024;
    }

    /// <summary>The application id: the <c>app_id</c> of server tokens.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ApplicationId { get; set; } = "";

    /// <summary>The application secret: signs server tokens and verifies webhooks. Either this or <see cref="SecretFile"/>.</summary>
    public string? Secret { get; set; }

    /// <summary>A file holding the application secret.</summary>
    public string? SecretFile { get; set; }

    /// <summary>Lifetime of a minted server token. Default 5 minutes ("short-lived").</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A cached token is replaced this long before it expires. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan TokenRenewBefore { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The Cord user mirrors are posted as when the author has no mapped Cord user (<c>authorID</c> is required).</summary>
    [Required(AllowEmptyStrings = false)]
    public string BotUserId { get; set; } = "messagesync";

    /// <summary>Deprecated: use <c>Sync:People</c> (<c>CordUserId</c>). Cord user ids by e-mail; still read, with a warning at start.</summary>
    public Dictionary<string, string> UserIdsByEmail { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Prefix of the deterministic message id ("ms-" + canonical id): a retried create finds its own message.</summary>
    [Required(AllowEmptyStrings = false), RegularExpression("^[A-Za-z0-9_-]{1,20}$")]
    public string MessageIdPrefix { get; set; } = "ms-";

    /// <summary>When set, the first write into a missing thread creates it (<c>createThread</c>) in this organization (group).</summary>
    public string? CreateThreadOrganizationId { get; set; }

    /// <summary>Name of a thread MessageSync creates; <c>{link}</c> and <c>{thread}</c> are replaced. Default "Support conversation {link}".</summary>
    public string CreateThreadName { get; set; } = "Support conversation {link}";

    /// <summary>URL of a thread MessageSync creates (required by Cord); <c>{link}</c> and <c>{thread}</c> are replaced.</summary>
    public string CreateThreadUrl { get; set; } = "https://app.example.com/support/{thread}";

    /// <summary>
    /// The <c>sortDirection</c> a thread is read with: "ascending" (default) or "descending". Either is read correctly:
    /// the adapter hands the engine every thread oldest first whatever order the answer comes in.
    /// </summary>
    [Required, RegularExpression("^(ascending|descending)$", ErrorMessage = "must be ascending or descending")]
    public string ThreadSortDirection { get; set; } = Ascending;
}

public sealed class CordOptionsValidator : IValidateOptions<CordOptions>
{
    public ValidateOptionsResult Validate(string? name, CordOptions options)
    {
        var failures = options.ValidateHttp(CordOptions.SectionName).ToList();
        if (string.IsNullOrWhiteSpace(options.Secret) && string.IsNullOrWhiteSpace(options.SecretFile))
        {
            failures.Add($"{CordOptions.SectionName}: set Secret or SecretFile.");
        }

        if (options.TokenRenewBefore >= options.TokenLifetime)
        {
            failures.Add($"{CordOptions.SectionName}: TokenRenewBefore must be shorter than TokenLifetime.");
        }

        if (options.CreateThreadOrganizationId is not null && !Uri.TryCreate(options.CreateThreadUrl.Replace("{link}", "x", StringComparison.Ordinal).Replace("{thread}", "x", StringComparison.Ordinal), UriKind.Absolute, out _))
        {
            failures.Add($"{CordOptions.SectionName}:CreateThreadUrl must be an absolute URL.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
