using System.ComponentModel.DataAnnotations;

namespace MessageSync.Adapters.Http;

/// <summary>
/// HTTP behaviour shared by the three adapters' options: retries, per-attempt timeout, response size cap and the
/// per-endpoint request budgets (DESIGN.md "Rate limits", "Failures").
/// </summary>
public abstract class HttpPolicyOptions
{
    /// <summary>Base address of the API. Validated as an absolute http(s) URL at start.</summary>
    [Required]
    public string BaseUrl { get; set; } = "";

    /// <summary>Time allowed for one attempt (not counting time spent waiting for a budget token). Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, for idempotent calls and for any 429. Default 4.</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>First backoff delay; grows exponentially with jitter. Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest Retry-After honoured before the call gives up with a RateLimitedException. Default 2 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest response body read; a bigger one is refused with a typed error. Default 16 MiB.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxResponseBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Requests per minute for each endpoint class. Defaults are the documented limits (see each system's options);
    /// an endpoint class not listed has no client-side budget (a 429 is still honoured).
    /// </summary>
    public Dictionary<string, int> Budgets { get; set; } = [];

    /// <summary>
    /// Divides every budget's period: 1 is real time. Tests run the simulator at <c>scaled:N</c> and the adapter at
    /// <c>BudgetScale = N</c> so the same budget is used in 1/N of the time. Default 1.
    /// </summary>
    [Range(0.001, 100000)]
    public double BudgetScale { get; set; } = 1;

    /// <summary>
    /// Requests a budget lets through at once before it paces at limit/minute. Default 1: a steady pace that no
    /// sliding-window, fixed-window or token-bucket server can count as over the limit; 0 means the full limit.
    /// </summary>
    [Range(0, 10000)]
    public int BudgetBurst { get; set; } = 1;

    internal IEnumerable<string> ValidateHttp(string section)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"{section}:BaseUrl must be an absolute http(s) URL (got '{BaseUrl}').";
        }

        foreach (var (endpoint, limit) in Budgets)
        {
            if (limit <= 0)
            {
                yield return $"{section}:Budgets:{endpoint} must be a positive number of requests a minute (got {limit}).";
            }
        }
    }
}
