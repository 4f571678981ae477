using System.Net;
using MessageSync.Adapters.Http;

namespace MessageSync.Adapters.Tests;

public class RateBudgetTests
{
    [Fact]
    public async Task Budget_waits_once_the_bucket_is_empty_and_counts_the_wait()
    {
        using var budget = new RateBudget(new Dictionary<string, int> { ["x"] = 60 }, scale: 60, burst: 1);
        Assert.False(await budget.AcquireAsync("x", CancellationToken.None));
        Assert.True(await budget.AcquireAsync("x", CancellationToken.None));
        Assert.False(await budget.AcquireAsync("unbudgeted", CancellationToken.None));
    }

    [Fact]
    public void Budget_is_lowered_at_once_when_the_response_says_less()
    {
        using var budget = new RateBudget(new Dictionary<string, int> { ["reply"] = 10 }, scale: 1, burst: 1);
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Add("X-Rate-Limit-Limit", "4");
        budget.Observe("reply", response.Headers);
        Assert.Equal(4, budget.LimitOf("reply"));
        response.Headers.Remove("X-Rate-Limit-Limit");
        response.Headers.Add("X-Rate-Limit-Limit", "8");
        budget.Observe("reply", response.Headers);
        Assert.Equal(4, budget.LimitOf("reply"));
    }
}
