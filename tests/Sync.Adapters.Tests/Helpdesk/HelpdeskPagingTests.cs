using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Simulators;

namespace MessageSync.Adapters.Tests;

/// <summary>api-docs 002 documents the list's query (page, limit) but not its answer: every read ends, each message once.</summary>
public class HelpdeskPagingTests
{
    private const int MaxPages = 50;

    [Theory]
    [InlineData(HelpdeskListEnvelope.DataOnly, PagingMode.Honoured, 250, 250)]
    [InlineData(HelpdeskListEnvelope.DataOnly, PagingMode.Honoured, 200, 200)]
    [InlineData(HelpdeskListEnvelope.DataOnly, PagingMode.Honoured, 0, 0)]
    [InlineData(HelpdeskListEnvelope.Full, PagingMode.IgnoredFirstPage, 250, 50)]
    [InlineData(HelpdeskListEnvelope.DataOnly, PagingMode.IgnoredFirstPage, 250, 50)]
    [InlineData(HelpdeskListEnvelope.DataOnly, PagingMode.IgnoredWholeList, 250, 250)]
    public async Task A_list_without_has_more_total_or_limit_or_that_ignores_page_still_ends_each_message_once(
        HelpdeskListEnvelope envelope, PagingMode paging, int count, int reachable)
    {
        await using var h = await Harness.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off, HelpdeskListEnvelope = envelope, Paging = paging });
        h.Host.Helpdesk.CreateTicket("tkt_1");
        for (var i = 0; i < count; i++)
        {
            h.Host.Helpdesk.AddMessage("tkt_1", SimMessageKind.Customer, $"<p>m{i}</p>", sendEmail: false);
        }

        var pages = await h.System(SystemId.Helpdesk).ReadPagesAsync(Canon.Link()).Take(MaxPages).ToListAsync();
        var texts = pages.SelectMany(p => p.Page.Messages).Select(m => m.BodyText.Trim()).ToList();

        Assert.True(pages.Count < MaxPages, $"the read did not end after {pages.Count} pages");
        Assert.Equal(Enumerable.Range(0, reachable).Select(i => $"m{i}"), texts);
    }

    [Fact]
    public async Task A_resumed_poll_reads_the_last_page_again_and_finds_what_was_appended()
    {
        await using var h = await Harness.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off, HelpdeskListEnvelope = HelpdeskListEnvelope.DataOnly });
        h.Host.Helpdesk.CreateTicket("tkt_1");
        for (var i = 0; i < 130; i++)
        {
            h.Host.Helpdesk.AddMessage("tkt_1", SimMessageKind.Customer, $"<p>m{i}</p>", sendEmail: false);
        }

        var helpdesk = h.System(SystemId.Helpdesk);
        var first = await helpdesk.ReadPagesAsync(Canon.Link()).Take(MaxPages).ToListAsync();
        h.Host.Helpdesk.AddMessage("tkt_1", SimMessageKind.Customer, "<p>m130</p>", sendEmail: false);

        var resumed = await helpdesk.ReadPagesAsync(Canon.Link(), first[^1].Cursor).Take(MaxPages).ToListAsync();

        Assert.Equal(2, first.Count);
        Assert.Equal(Enumerable.Range(100, 31).Select(i => $"m{i}"), resumed.SelectMany(p => p.Page.Messages).Select(m => m.BodyText.Trim()));
    }
}
