using System.Net;
using System.Net.Http.Headers;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Http;

/// <summary>
/// Puts the system's current bearer token on every attempt (a renewed token is used by the next retry) and, on a 401,
/// lets the token source forget its cache (re-read the session file, mint a new Cord token).
/// </summary>
public sealed class BearerAuthHandler(SystemId system, Func<string?> currentToken, Action? onUnauthorized = null) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = currentToken();
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new AuthenticationException(system, $"{system}: no credentials configured (token value or file is empty).");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            onUnauthorized?.Invoke();
        }

        return response;
    }
}
