using System.Net;
using System.Net.Http.Headers;
using MessageSync.Adapters.Http;

namespace MessageSync.Adapters.Tests;

public class ResilienceHandlerTests
{
    [Fact]
    public void A_retry_after_date_is_counted_from_the_injected_clock_not_the_machine_clock()
    {
        var now = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(42));

        Assert.Equal(TimeSpan.FromSeconds(42), ResilienceHandler.RetryAfterOf(response, now));
        Assert.Equal(TimeSpan.Zero, ResilienceHandler.RetryAfterOf(response, now.AddMinutes(5)));
    }

    [Fact]
    public void A_retry_after_delta_is_taken_as_given()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        Assert.Equal(TimeSpan.FromSeconds(7), ResilienceHandler.RetryAfterOf(response, DateTimeOffset.UnixEpoch));
    }
}
