using MessageSync.Adapters.Http;

namespace MessageSync.Adapters.Tests;

public class LoggingHandlerTests
{
    [Theory]
    [InlineData("http://h/v1/threads/t/messages?limit=10&token=abc", "/v1/threads/t/messages?limit=10&token=***")]
    [InlineData("http://h/issues/1/messages?cursor=c1&api_key=k", "/issues/1/messages?cursor=c1&api_key=***")]
    [InlineData("http://h/helpdesk/api/messages?ticket_id=t&page=2", "/helpdesk/api/messages?ticket_id=t&page=2")]
    public void Logged_paths_mask_secret_query_values(string url, string expected) =>
        Assert.Equal(expected, LoggingHandler.MaskedPathAndQuery(new Uri(url)));
}
