using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Cord;

/// <summary>
/// Mints Cord server tokens as Cord's server SDK does: an HS512 JWT signed with the application secret, payload
/// <c>{"app_id":..,"iat":..,"exp":..}</c> (api-docs README, "Cord server tokens"). A token is cached and renewed
/// <see cref="CordOptions.TokenRenewBefore"/> before it expires, so no request goes out with a token about to lapse.
/// </summary>
public sealed class CordTokenProvider : ITokenSource
{
    private readonly CordOptions _options;
    private readonly SecretSource _secret;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private string? _token;
    private string? _tokenSecret;
    private DateTimeOffset _expires;

    public CordTokenProvider(IOptions<CordOptions> options, TimeProvider? timeProvider = null)
    {
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _secret = new SecretSource(_options.Secret, _options.SecretFile, _time);
    }

    /// <summary>The current token, minting a new one when the cached one is within the renewal margin of expiry.</summary>
    public string Current()
    {
        var now = _time.GetUtcNow();
        var secret = _secret.Current()
            ?? throw new AuthenticationException(SystemId.Cord, "Cord application secret is not configured or its file is empty.");
        lock (_gate)
        {
            if (_token is not null && _tokenSecret == secret && now < _expires - _options.TokenRenewBefore)
            {
                return _token;
            }

            _expires = now + _options.TokenLifetime;
            _token = Mint(_options.ApplicationId, secret, now, _options.TokenLifetime);
            _tokenSecret = secret;
            return _token;
        }
    }

    /// <summary>Drops the cached token (after a 401: perhaps the secret was rotated).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _token = null;
        }

        _secret.Invalidate();
    }

    /// <summary>base64url(header) "." base64url(payload) "." base64url(HMAC-SHA512(secret, header "." payload)).</summary>
    public static string Mint(string applicationId, string secret, DateTimeOffset now, TimeSpan lifetime)
    {
        var header = new JsonObject { ["alg"] = "HS512", ["typ"] = "JWT" };
        var payload = new JsonObject
        {
            ["app_id"] = applicationId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(signingInput));
        return signingInput + "." + Base64Url(signature);
    }

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
