using MessageSync.Core.Model;

namespace MessageSync.Adapters.Http;

/// <summary>
/// Takes a token from the endpoint class's bucket before every attempt (retries included: the API counts them too),
/// counts attempts and 429s, and feeds the response's rate-limit headers back into the budget.
/// </summary>
public sealed class RateLimitHandler(SystemId system, RateBudget budget, AdapterMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = request.GetEndpointClass();
        var ticket = await budget.AcquireAsync(endpoint, cancellationToken);
        if (ticket.Waited)
        {
            metrics.RateLimitWait(system);
        }

        metrics.Request(system);
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode == 429)
        {
            metrics.RateLimited(system);
        }

        budget.Observe(endpoint, response.Headers, ticket);
        return response;
    }
}
