using MessageSync.Adapters.People;
using MessageSync.Adapters.Pylon;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Simulators;
using Microsoft.Extensions.DependencyInjection;

namespace MessageSync.Adapters.Tests;

/// <summary>Who a mirror is posted as in Pylon (issues 9.2, 9.3, 12.4).</summary>
public class PylonAuthorTests
{
    private static CanonicalMessage FromHelpdesk(string authorId, MessageKind kind = MessageKind.CustomerMessage, string? email = null) =>
        Canon.Message(kind, $"<p>from {authorId}</p>", SystemId.Helpdesk, new Author(authorId, email, authorId, IsCustomer: kind == MessageKind.CustomerMessage));

    private static async Task<Harness> StartAsync(params Person[] people)
    {
        var h = await Harness.StartAsync(configure: Harness.People(people));
        h.Host.Pylon.CreateIssue("iss_1", "contact_9", "ana@example.com", "Ana Ruiz");
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>first</p>");
        return h;
    }

    [Fact]
    public async Task A_helpdesk_customer_mapped_in_sync_people_is_posted_as_their_pylon_contact()
    {
        await using var h = await StartAsync(new Person { Name = "Ana Ruiz", PylonContactId = "contact_9", HelpdeskAuthorId = "customer_1" });

        var id = (await h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(), FromHelpdesk("customer_1")), default)).ExternalId;

        var written = h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id);
        Assert.Equal("contact_9", written.ContactId);
        Assert.False(written.IsPrivate);
        Assert.DoesNotContain("via helpdesk", written.MessageHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customer_with_the_e_mail_of_an_issue_contact_is_posted_as_that_contact()
    {
        await using var h = await StartAsync();

        var id = (await h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(), FromHelpdesk("customer_x", email: "ANA@example.com")), default)).ExternalId;

        Assert.Equal("contact_9", h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id).ContactId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bob@example.com")]
    public async Task A_customer_who_is_not_the_issue_contact_is_never_posted_as_them_but_as_a_labelled_internal_note(string? email)
    {
        await using var h = await StartAsync(new Person { Name = "Someone Else", HelpdeskAuthorId = "customer_other", PylonContactId = "contact_other" });
        var message = FromHelpdesk("customer_2", email: email);

        var id = (await h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(), message), default)).ExternalId;

        var written = h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id);
        Assert.Null(written.ContactId);
        Assert.True(written.IsPrivate);
        Assert.False(written.ReachedCustomer);
        Assert.Contains("not sent as a Pylon reply", written.MessageHtml, StringComparison.Ordinal);
        Assert.Contains("customer_2 via helpdesk", written.MessageHtml, StringComparison.Ordinal);
        Assert.Equal(message.Id, SyncMarker.Find(written.MessageHtml));
        Assert.Equal(0, h.Host.Pylon.GetStats(PylonSimulator.Reply).Requests);
    }

    [Fact]
    public async Task After_a_restart_with_no_contact_cached_the_contact_is_found_by_reading_the_issue_not_faulted()
    {
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?> { ["Sync:Pylon:PageSize"] = "2" });
        h.Host.Pylon.CreateIssue("iss_1", "contact_9", "ana@example.com", "Ana Ruiz");
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>first</p>");
        for (var i = 0; i < 3; i++)
        {
            h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Agent, $"<p>answer {i}</p>");
        }

        var link = Canon.Link();
        var lastPage = (await h.System(SystemId.Pylon).ReadPagesAsync(link).ToListAsync())[^1].Cursor;
        // A restarted worker: a fresh adapter whose first poll resumes at the last page, which holds agent replies only.
        using var restarted = ActivatorUtilities.CreateInstance<PylonAdapter>(h.Services);
        await restarted.ReadPageAsync(link, lastPage, default);
        var lists = h.Host.Pylon.GetStats(PylonSimulator.ListMessages).Requests;

        var id = (await restarted.CreateAsync(Canon.Write(link, FromHelpdesk("customer_x", email: "ana@example.com")), default)).ExternalId;

        Assert.Equal("contact_9", h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id).ContactId);
        Assert.Equal(lists + 2, h.Host.Pylon.GetStats(PylonSimulator.ListMessages).Requests);
        await restarted.CreateAsync(Canon.Write(link, FromHelpdesk("customer_y", email: "ana@example.com")), default);
        Assert.Equal(lists + 2, h.Host.Pylon.GetStats(PylonSimulator.ListMessages).Requests);
    }

    [Fact]
    public async Task A_reply_whose_remembered_anchor_was_deleted_answers_the_latest_visible_message_instead()
    {
        await using var h = await StartAsync();
        var second = h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Agent, "<p>second</p>");
        var pylon = h.System(SystemId.Pylon);
        var link = Canon.Link();
        await pylon.ReadPageAsync(link, null, default);
        await pylon.DeleteAsync(link, second.Id, DeleteMode.Hard, default);
        var first = h.Host.Pylon.GetMessages("iss_1")[0];

        var id = (await pylon.CreateAsync(Canon.Write(link, FromHelpdesk("customer_x", email: "ana@example.com")), default)).ExternalId;

        var written = h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id);
        Assert.Equal(first.Id, written.ReplyToMessageId);
        Assert.Equal("contact_9", written.ContactId);
        Assert.Equal(2, h.Host.Pylon.GetStats(PylonSimulator.Reply).Requests);
    }

    [Fact]
    public async Task A_reply_whose_anchor_is_deleted_after_the_listing_it_made_answers_the_latest_visible_message_instead()
    {
        await using var h = await StartAsync();
        var second = h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Agent, "<p>second</p>");
        var first = h.Host.Pylon.GetMessages("iss_1")[0];
        var pylon = h.System(SystemId.Pylon);
        var link = Canon.Link();

        // The reply lists the issue itself (its author's contact is not known yet) and answers "second"; a person deletes
        // "second" while the reply is on its way (the reply is held 2 s before Pylon handles it).
        h.Host.Pylon.SetFault(PylonSimulator.Reply, new FaultSpec { Delay = TimeSpan.FromSeconds(2), Count = 1 });
        var writing = pylon.CreateAsync(Canon.Write(link, FromHelpdesk("customer_x", email: "ana@example.com")), default);
        while (h.Host.Pylon.GetStats(PylonSimulator.Reply).Requests == 0)
        {
            await Task.Delay(20);
        }

        await pylon.DeleteAsync(link, second.Id, DeleteMode.Hard, default);
        var id = (await writing).ExternalId;

        Assert.Equal(first.Id, h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id).ReplyToMessageId);
        Assert.Equal(2, h.Host.Pylon.GetStats(PylonSimulator.Reply).Requests);
    }

    [Fact]
    public async Task An_agent_from_another_system_is_posted_as_their_pylon_user_from_sync_people()
    {
        await using var h = await StartAsync(new Person { Name = "Dana Agent", PylonUserId = "usr_dana", CordUserId = "agent_cord" });
        h.Host.Pylon.AddUser("usr_dana", "Dana Agent", "dana@example.com");
        var fromCord = Canon.Message(MessageKind.InternalNote, "<p>from cord</p>", SystemId.Cord, new Author("agent_cord", ExternalId: "agent_cord"));

        var id = (await h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(), fromCord), default)).ExternalId;

        var written = h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id);
        Assert.Equal("usr_dana", written.UserId);
        Assert.DoesNotContain("via Cord", written.MessageHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unmapped_agent_is_attributed_by_the_configured_name()
    {
        await using var h = await StartAsync(new Person { Name = "Dana Agent", HelpdeskAuthorId = "agent_1" });

        var id = (await h.System(SystemId.Pylon).CreateAsync(
            Canon.Write(Canon.Link(), FromHelpdesk("agent_1", MessageKind.AgentReply), MessageKind.InternalNote, "Sent to the customer via helpdesk"), default)).ExternalId;

        var written = h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id);
        Assert.Equal(PylonSimulator.ApiUser.Id, written.UserId);
        Assert.Contains("Dana Agent via helpdesk", written.MessageHtml, StringComparison.Ordinal);
    }
}
