using System.Net;
using MessageSync.Adapters.Http;

namespace MessageSync.Adapters.Tests;

public class RateBudgetTests
{
    [Fact]
    public async Task Budget_waits_once_the_bucket_is_empty_and_counts_the_wait()
    {
        using var budget = new RateBudget(new Dictionary<string, int> { ["x"] = 60 }, scale: 10, burst: 1);
        Assert.False((await budget.AcquireAsync("x", CancellationToken.None)).Waited);
        Assert.True((await budget.AcquireAsync("x", CancellationToken.None)).Waited);
        Assert.False((await budget.AcquireAsync("unbudgeted", CancellationToken.None)).Waited);
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

    [Fact]
    public async Task Requests_sent_after_an_answer_count_against_what_it_said_remained_until_the_window_resets()
    {
        // Plenty of tokens: only the server's own count can hold a request back here.
        using var budget = new RateBudget(new Dictionary<string, int> { ["reply"] = 10 }, scale: 100_000, burst: 0);
        var first = await budget.AcquireAsync("reply", CancellationToken.None);
        var second = await budget.AcquireAsync("reply", CancellationToken.None);
        var third = await budget.AcquireAsync("reply", CancellationToken.None);

        // The answer to the first says two remain until the window resets in 30 s: the second and third used them.
        budget.Observe("reply", Headers(remaining: 2, resetInSeconds: 30), first);
        using var cancel = new CancellationTokenSource();
        var fourth = budget.AcquireAsync("reply", cancel.Token).AsTask();
        await Task.Delay(200);
        Assert.False(fourth.IsCompleted, "a fourth request would be the server's eleventh in its window");

        // A later answer (to the third) says more remain: the fourth may go.
        budget.Observe("reply", Headers(remaining: 5, resetInSeconds: 30), third);
        Assert.True((await fourth.WaitAsync(TimeSpan.FromSeconds(30))).Waited);
        Assert.Equal([1L, 2L, 3L], new[] { first.Sequence, second.Sequence, third.Sequence });

        // An older answer arriving late (even one saying none remain) neither brings back a tighter count nor pauses the
        // class until its reset: the wait below is far shorter than that window.
        budget.Observe("reply", Headers(remaining: 0, resetInSeconds: 30), second);
        await budget.AcquireAsync("reply", CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static System.Net.Http.Headers.HttpResponseHeaders Headers(int remaining, int resetInSeconds)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Add("X-Rate-Limit-Remaining", remaining.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Headers.Add("X-Rate-Limit-Reset", resetInSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return response.Headers;
    }
}
