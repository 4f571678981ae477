using System.Net;
using MessageSync.Adapters.Pylon;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Simulators;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Tests;

/// <summary>
/// api-docs 001 documents no request parameter for GET /issues/{id}/messages: whatever Pylon does with the cursor the
/// adapter sends back, every read ends with each message seen once.
/// </summary>
public class PylonPagingTests
{
    private const int MaxPages = 50;

    [Theory]
    [InlineData(PagingMode.Honoured, 250)]
    [InlineData(PagingMode.IgnoredWholeList, 250)]
    [InlineData(PagingMode.IgnoredFirstPage, PylonSimulator.DefaultPageSize)]
    public async Task A_read_ends_with_each_message_once_whatever_pylon_does_with_the_cursor(PagingMode paging, int reachable)
    {
        await using var h = await Harness.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off, Paging = paging });
        h.Host.Pylon.CreateIssue("iss_1");
        for (var i = 0; i < 250; i++)
        {
            h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, $"<p>m{i}</p>");
        }

        var pylon = h.System(SystemId.Pylon);
        var pages = await pylon.ReadPagesAsync(Canon.Link()).Take(MaxPages).ToListAsync();
        var ids = pages.SelectMany(p => p.Page.Messages).Select(m => m.ExternalId).ToList();

        Assert.True(pages.Count < MaxPages, $"the read did not end after {pages.Count} pages");
        Assert.Equal(reachable, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, reachable).Select(i => $"m{i}"), pages.SelectMany(p => p.Page.Messages).Select(m => m.BodyText.Trim()));
    }

    [Fact]
    public async Task A_resumed_poll_against_a_pylon_that_ignores_the_cursor_yields_only_what_was_appended()
    {
        await using var h = await Harness.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off, Paging = PagingMode.IgnoredWholeList });
        h.Host.Pylon.CreateIssue("iss_1");
        for (var i = 0; i < 5; i++)
        {
            h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, $"<p>m{i}</p>");
        }

        var pylon = h.System(SystemId.Pylon);
        var first = await pylon.ReadPagesAsync(Canon.Link()).Take(MaxPages).ToListAsync();
        var stored = first[^1].Cursor;
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>m5</p>");

        var resumed = await pylon.ReadPagesAsync(Canon.Link(), stored).Take(MaxPages).ToListAsync();

        Assert.Equal(["m5"], resumed.SelectMany(p => p.Page.Messages).Select(m => m.BodyText.Trim()));
    }

    [Fact]
    public async Task Finding_a_mirror_ends_even_when_pylon_repeats_its_first_page()
    {
        await using var h = await Harness.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off, Paging = PagingMode.IgnoredFirstPage });
        h.Host.Pylon.CreateIssue("iss_1");
        for (var i = 0; i < 150; i++)
        {
            h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, $"<p>m{i}</p>");
        }

        var found = await h.System(SystemId.Pylon).FindMirrorAsync(Canon.Link(), Guid.NewGuid(), [], default).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(found.ExternalId);
        Assert.Equal(2, h.Host.Pylon.GetStats(PylonSimulator.ListMessages).Requests);
    }

    [Fact]
    public async Task An_answer_without_pagination_is_the_last_page()
    {
        const string body = """{"data":[{"id":"m1","message_html":"<p>x</p>","timestamp":"2025-01-01T00:00:00Z","author":{"user":{"id":"u1"}}}]}""";
        using var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) });
        using var http = new HttpClient(stub) { BaseAddress = new Uri("http://127.0.0.1/") };
        var client = new PylonClient(http, Options.Create(new PylonOptions()));

        var page = await client.ReadPageAsync("iss_1", null, default);

        Assert.False(page.HasMore);
        Assert.Equal("m1", Assert.Single(page.Items).Id);
        Assert.Equal("/issues/iss_1/messages", stub.LastRequest!.RequestUri!.PathAndQuery);
    }
}
