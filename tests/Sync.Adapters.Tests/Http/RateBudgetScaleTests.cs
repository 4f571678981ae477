using MessageSync.Adapters.Http;

namespace MessageSync.Adapters.Tests.Http;

public class RateBudgetScaleTests
{
    /// <summary>
    /// At BudgetScale 100,000 a 20/min bucket refills every 31 microseconds: below the limiter's timer resolution the
    /// bucket never refilled and the worker silently stopped reading Pylon. Every scale the options accept must keep
    /// tokens coming.
    /// </summary>
    [Theory]
    [InlineData(3_100)]
    [InlineData(100_000)]
    public async Task A_bucket_keeps_refilling_at_every_accepted_scale(double scale)
    {
        using var budget = new RateBudget(new Dictionary<string, int> { ["list"] = 20, ["reply"] = 10 }, scale, burst: 1);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        for (var i = 0; i < 200; i++)
        {
            await budget.AcquireAsync("list", patience.Token);
            await budget.AcquireAsync("reply", patience.Token);
        }
    }
}
