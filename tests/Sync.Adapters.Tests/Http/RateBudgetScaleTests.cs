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

    /// <summary>
    /// Each bucket refills on a timer of its own: at BudgetScale 1,000 a 4 ms period woke the thread pool about 1,500
    /// times a second for Pylon's buckets, most of a resting worker's CPU. No period is shorter than 50 ms; the rate stays.
    /// </summary>
    [Theory]
    [InlineData(20, 1, 1, 3_060)]
    [InlineData(20, 60, 1, 51)]
    [InlineData(10, 60, 1, 102)]
    [InlineData(20, 1_000, 17, 52)]
    [InlineData(20, 100_000, 1_634, 50)]
    public void No_refill_timer_ticks_faster_than_every_50_ms_and_the_rate_is_kept(int limit, double scale, int tokens, int periodMs)
    {
        var (perPeriod, period) = RateBudget.Refill(limit, scale);

        Assert.Equal(tokens, perPeriod);
        Assert.Equal(periodMs, (int)Math.Round(period.TotalMilliseconds));
        Assert.True(period >= TimeSpan.FromMilliseconds(50));
        var perMinute = perPeriod * TimeSpan.FromMinutes(1) / period;
        Assert.InRange(perMinute, limit * scale * 0.97, limit * scale); // 2 % slack, never more than the budget
    }
}
