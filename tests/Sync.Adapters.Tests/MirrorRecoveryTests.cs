using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using MessageSync.Simulators;

namespace MessageSync.Adapters.Tests;

/// <summary>
/// Recovery after a lost answer against the simulated Pylon and helpdesk (issue 9.6): exact or nothing. A message with the
/// same words is not our copy, and where the product stores HTML without our marker the search says it cannot tell.
/// </summary>
public class MirrorRecoveryTests
{
    /// <summary>Writes a copy of ours (an internal note, which both take from any author) and returns it as an own write.</summary>
    private static async Task<OwnWrite> WriteOwnCopyAsync(Harness h, SystemId system, string html)
    {
        var message = Canon.Message(MessageKind.InternalNote, html, origin: SystemId.Cord);
        var id = (await h.System(system).CreateAsync(Canon.Write(Canon.Link(), message), default)).ExternalId;
        return new OwnWrite(message.Id, message.Id, id, IsNote: false);
    }

    private static void Start(Harness h)
    {
        h.Host.Pylon.CreateIssue("iss_1");
        h.Host.Helpdesk.CreateTicket("tkt_1");
    }

    private static void CustomerWrites(Harness h, SystemId system, string html)
    {
        if (system == SystemId.Pylon)
        {
            h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, html);
        }
        else
        {
            h.Host.Helpdesk.AddMessage("tkt_1", SimMessageKind.Customer, html, sendEmail: false);
        }
    }

    [Theory]
    [InlineData(SystemId.Pylon)]
    [InlineData(SystemId.Helpdesk)]
    public async Task A_customer_message_with_the_same_words_is_never_taken_for_our_copy(SystemId system)
    {
        await using var h = await Harness.StartAsync();
        Start(h);
        var own = await WriteOwnCopyAsync(h, system, "<p>Hello, we are on it</p>");
        CustomerWrites(h, system, "<p>Thanks!</p>");
        var lost = Canon.Message(MessageKind.CustomerMessage, "<p>Thanks!</p>", origin: SystemId.Cord);

        var search = await h.System(system).FindMirrorAsync(Canon.Link(), lost.Id, [own], default);

        Assert.Null(search.ExternalId);
        Assert.True(search.IsAbsent, search.UnknownReason); // our other copy kept its marker: the search can tell
    }

    [Theory]
    [InlineData(SystemId.Pylon)]
    [InlineData(SystemId.Helpdesk)]
    public async Task A_copy_with_attribution_and_attachment_links_is_found_by_its_marker_and_no_other_copy_of_ours_is(SystemId system)
    {
        await using var h = await Harness.StartAsync();
        Start(h);
        var other = await WriteOwnCopyAsync(h, system, "<p>Hello</p>");
        var message = Canon.Message(MessageKind.InternalNote, "<p>See <a href=\"https://x.example/a?sig=1\">this</a></p>", origin: SystemId.Cord,
            attachments: [new Attachment("shot.png", "https://files.example.com/shot.png?token=abc")]);
        var id = (await h.System(system).CreateAsync(Canon.Write(Canon.Link(), message), default)).ExternalId;

        Assert.Equal(id, (await h.System(system).FindMirrorAsync(Canon.Link(), message.Id, [other], default)).ExternalId);

        // A copy of ours for another message that carries this marker (a person pasted it) is not this copy.
        var pasted = (await h.System(system).FindMirrorAsync(Canon.Link(), other.Marker, [other with { Marker = Guid.NewGuid() }], default)).ExternalId;
        Assert.Null(pasted);
    }

    [Theory]
    [InlineData(SystemId.Pylon)]
    [InlineData(SystemId.Helpdesk)]
    public async Task Where_the_product_strips_unknown_html_the_search_says_it_cannot_tell_and_matches_nothing(SystemId system)
    {
        await using var h = await Harness.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off, StripUnknownHtml = true });
        Start(h);
        var own = await WriteOwnCopyAsync(h, system, "<p>Hello, we are on it</p>");
        var lost = Canon.Message(MessageKind.InternalNote, "<p>Thanks!</p>", origin: SystemId.Cord);
        await h.System(system).CreateAsync(Canon.Write(Canon.Link(), lost), default); // written, answer lost
        CustomerWrites(h, system, "<p>Thanks!</p>");

        var stored = system == SystemId.Pylon
            ? h.Host.Pylon.GetMessages("iss_1").Select(m => m.MessageHtml)
            : h.Host.Helpdesk.GetMessages("tkt_1").Select(m => m.Content);
        Assert.All(stored, html => Assert.DoesNotContain("data-sync-id", html, StringComparison.Ordinal));

        var search = await h.System(system).FindMirrorAsync(Canon.Link(), lost.Id, [own], default);

        Assert.Null(search.ExternalId);
        Assert.Contains("without their data-sync-id marker", search.UnknownReason, StringComparison.Ordinal);
    }
}
