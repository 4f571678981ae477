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
