namespace MessageSync.Simulators;

/// <summary>How the simulators enforce documented rate limits.</summary>
public enum RateLimitMode
{
    /// <summary>Pylon's documented per-endpoint limits per token per minute.</summary>
    Documented,

    /// <summary>No limits (benchmarks of the worker's own throughput).</summary>
    Off,

    /// <summary>Each per-minute limit applies per minute/<see cref="SimulatorOptions.RateLimitScale"/>.</summary>
    Scaled,
}

/// <summary>
/// What the simulated Pylon message list and helpdesk list do with the paging parameters they are sent. Pylon documents
/// none for listing messages (api-docs 001), so a real Pylon may ignore them; these modes let tests prove that every read
/// still ends with each message seen once.
/// </summary>
public enum PagingMode
{
    /// <summary>Pylon honours <c>cursor</c> and <c>limit</c>; the helpdesk honours <c>page</c> and <c>limit</c> (default).</summary>
    Honoured,

    /// <summary>The parameters are ignored and every answer is the whole list, still claiming that a next page follows.</summary>
    IgnoredWholeList,

    /// <summary>The parameters are ignored and every answer is the same first page (the API's own size), claiming more.</summary>
    IgnoredFirstPage,
}

/// <summary>The helpdesk list answer's envelope (api-docs 002 documents the query, not the answer).</summary>
public enum HelpdeskListEnvelope
{
    /// <summary><c>{"data":[...],"page":P,"limit":L,"total":N,"has_more":bool}</c> (default).</summary>
    Full,

    /// <summary><c>{"data":[...]}</c> alone: no <c>page</c>, <c>limit</c>, <c>total</c> or <c>has_more</c>.</summary>
    DataOnly,
}

/// <summary>Options of the three simulators. Defaults are the fixed demo credentials in <see cref="SimulatorDefaults"/>.</summary>
public sealed record SimulatorOptions
{
    /// <summary>Rate-limit enforcement; default the documented limits.</summary>
    public RateLimitMode RateLimits { get; init; } = RateLimitMode.Documented;

    /// <summary>With <see cref="RateLimitMode.Scaled"/>: each per-minute limit applies per minute/N.</summary>
    public double RateLimitScale { get; init; } = 1;

    /// <summary>The only Pylon API token accepted (Bearer).</summary>
    public string PylonToken { get; init; } = SimulatorDefaults.PylonToken;

    /// <summary>HS256 secret the helpdesk's session JWTs are signed with.</summary>
    public string HelpdeskJwtSecret { get; init; } = SimulatorDefaults.HelpdeskJwtSecret;

    /// <summary>Cord application id (the <c>app_id</c> claim of server tokens).</summary>
    public string CordAppId { get; init; } = SimulatorDefaults.CordAppId;

    /// <summary>Cord application secret: signs server tokens (HS512) and webhook payloads.</summary>
    public string CordSecret { get; init; } = SimulatorDefaults.CordSecret;

    /// <summary>Where Cord delivers <c>thread-message-added</c> events; null: no webhooks.</summary>
    public Uri? CordWebhookUrl { get; init; }

    /// <summary>"demo" seeds linked sample conversations at start; null seeds nothing.</summary>
    public string? Seed { get; init; }

    /// <summary>What the Pylon and helpdesk lists do with paging parameters. Default <see cref="PagingMode.Honoured"/>.</summary>
    public PagingMode Paging { get; init; } = PagingMode.Honoured;

    /// <summary>The helpdesk list answer's envelope. Default <see cref="Simulators.HelpdeskListEnvelope.Full"/>.</summary>
    public HelpdeskListEnvelope HelpdeskListEnvelope { get; init; } = HelpdeskListEnvelope.Full;

    /// <summary>
    /// Pylon and the helpdesk store message HTML as a real product's editor may: unknown attributes and empty elements
    /// removed (MessageSync's <c>data-sync-id</c> marker with them). Cord takes structured content and ids chosen by the
    /// caller, so it is not concerned. Default false: stored as sent.
    /// </summary>
    public bool StripUnknownHtml { get; init; }

    /// <summary>Clock for timestamps, token expiry and rate-limit windows (faked in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>Fixed, documented demo credentials, so the worker's demo configuration can use them.</summary>
public static class SimulatorDefaults
{
    public const string PylonToken = "pylon-sim-token";
    public const string HelpdeskJwtSecret = "helpdesk-sim-secret-0123456789abcdef0123456789abcdef";
    public const string CordAppId = "cord-sim-app";
    public const string CordSecret = "cord-sim-secret-0123456789abcdef0123456789abcdef";
}
