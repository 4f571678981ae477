namespace MessageSync.Adapters.Http;

/// <summary>
/// Where a system's bearer token comes from (<see cref="BearerAuthHandler"/>): a configured value or file
/// (<see cref="SecretSource"/>: Pylon, helpdesk) or a token minted from a secret (<c>CordTokenProvider</c>).
/// </summary>
public interface ITokenSource
{
    /// <summary>The token to send now; null or empty when none is configured (the handler reports it).</summary>
    string? Current();

    /// <summary>Forgets any cached token after a 401, so the next call reads or mints a fresh one.</summary>
    void Invalidate();
}
