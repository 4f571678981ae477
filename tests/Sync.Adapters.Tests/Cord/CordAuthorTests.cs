using MessageSync.Adapters.People;
using MessageSync.Core.Model;
using MessageSync.Simulators;

namespace MessageSync.Adapters.Tests;

/// <summary>Who a mirror is written as in Cord (issue 12.4): the real author wherever Sync:People knows their Cord user.</summary>
public class CordAuthorTests
{
    [Theory]
    [InlineData(SystemId.Helpdesk, "agent_1", false)]
    [InlineData(SystemId.Pylon, "usr_dana", false)]
    [InlineData(SystemId.Pylon, "contact_ana", true)]
    public async Task A_mirror_of_a_person_known_in_sync_people_is_written_as_their_cord_user(SystemId origin, string authorId, bool customer)
    {
        await using var h = await Harness.StartAsync(configure: Harness.People(
            new Person { Name = "Dana Agent", PylonUserId = "usr_dana", HelpdeskAuthorId = "agent_1", CordUserId = "cord_dana" },
            new Person { Name = "Ana Ruiz", PylonContactId = "contact_ana", CordUserId = "cord_ana" }));
        h.Host.Cord.CreateThread("th_1");
        var message = Canon.Message(MessageKind.InternalNote, "<p>hello</p>", origin, new Author(authorId, ExternalId: authorId, IsCustomer: customer));

        await h.System(SystemId.Cord).CreateAsync(Canon.Write(Canon.Link(), message), default);

        var written = Assert.Single(h.Host.Cord.GetMessages("th_1"));
        Assert.Equal(customer ? "cord_ana" : "cord_dana", written.AuthorId);
        Assert.DoesNotContain(" via ", written.Plaintext, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_person_without_a_cord_user_is_written_by_the_bot_and_attributed_by_their_configured_name()
    {
        await using var h = await Harness.StartAsync(configure: Harness.People(new Person { Name = "Dana Agent", HelpdeskAuthorId = "agent_1" }));
        h.Host.Cord.CreateThread("th_1");
        var message = Canon.Message(MessageKind.InternalNote, "<p>hello</p>", SystemId.Helpdesk, new Author("agent_1", ExternalId: "agent_1"));

        await h.System(SystemId.Cord).CreateAsync(Canon.Write(Canon.Link(), message), default);

        var written = Assert.Single(h.Host.Cord.GetMessages("th_1"));
        Assert.Equal("messagesync", written.AuthorId);
        Assert.StartsWith("Dana Agent via helpdesk", written.Plaintext, StringComparison.Ordinal);
    }
}
