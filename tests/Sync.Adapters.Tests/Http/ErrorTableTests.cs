using System.Net;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Tests;

public class ErrorTableTests
{
    [Theory]
    [InlineData(401, null, typeof(AuthenticationException))]
    [InlineData(403, """{"error":{"code":"TICKET_CLOSED","message":"closed"}}""", typeof(ConversationClosedException))]
    [InlineData(403, """{"error":{"code":"CLOSED_STATUS_SYSTEM_ONLY"}}""", typeof(PermanentApiException))]
    [InlineData(403, """{"error":{"code":"FORBIDDEN"}}""", typeof(AuthenticationException))]
    [InlineData(404, """{"errors":["issue not found"]}""", typeof(NotFoundException))]
    [InlineData(429, null, typeof(RateLimitedException))]
    [InlineData(500, "<html>oops</html>", typeof(TransientApiException))]
    [InlineData(503, null, typeof(TransientApiException))]
    [InlineData(400, """{"errors":["body_html is required"]}""", typeof(PermanentApiException))]
    [InlineData(409, null, typeof(PermanentApiException))]
    public void Status_and_documented_code_map_to_one_exception_type(int status, string? body, Type expected)
    {
        var ex = ApiErrorTable.FromResponse(SystemId.Helpdesk, (HttpStatusCode)status, body, TimeSpan.FromSeconds(3));
        Assert.IsType(expected, ex);
        Assert.Equal(SystemId.Helpdesk, ex.System);
    }

    [Fact]
    public void Closed_ticket_is_parked_not_retried()
    {
        var ex = Assert.IsType<ConversationClosedException>(ApiErrorTable.FromResponse(SystemId.Helpdesk, HttpStatusCode.Forbidden, """{"code":"TICKET_CLOSED"}""", null));
        Assert.False(ex.IsTransient);
        Assert.Equal("TICKET_CLOSED", ex.Code);
    }

    [Fact]
    public void Rate_limited_carries_retry_after()
    {
        var ex = Assert.IsType<RateLimitedException>(ApiErrorTable.FromResponse(SystemId.Pylon, HttpStatusCode.TooManyRequests, "", TimeSpan.FromSeconds(7)));
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.True(ex.IsTransient);
    }
}
