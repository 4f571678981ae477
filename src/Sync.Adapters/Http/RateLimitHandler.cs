using MessageSync.Core.Engine;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Http;

/// <summary>
/// Takes a token from the endpoint class's bucket before every attempt (retries included: the API counts them too),
/// records each attempt (status, duration), each 429 and each budget wait per endpoint class, and feeds the response's
/// rate-limit headers back into the budget.
/// </summary>
public sealed class RateLimitHandler(SystemId system, RateBudget budget, SyncMetrics metrics, TimeProvider? timeProvider = null) : DelegatingHandler
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = request.GetEndpointClass();
        var waitStarted = _time.GetTimestamp();
        var ticket = await budget.AcquireAsync(endpoint, cancellationToken);
        if (ticket.Waited)
        {
            metrics.RateLimitWait(system, endpoint, _time.GetElapsedTime(waitStarted));
        }

        var sent = _time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            metrics.HttpAttempt(system, endpoint, status: null, _time.GetElapsedTime(sent));
            throw;
        }

        metrics.HttpAttempt(system, endpoint, (int)response.StatusCode, _time.GetElapsedTime(sent));
        budget.Observe(endpoint, response.Headers, ticket);
        return response;
    }
}
