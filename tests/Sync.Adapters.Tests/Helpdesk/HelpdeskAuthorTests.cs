using MessageSync.Adapters.People;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Tests;

/// <summary>The helpdesk takes no author on create (api-docs 002): a mirror names its author as Sync:People does.</summary>
public class HelpdeskAuthorTests
{
    [Fact]
    public async Task A_mirror_names_its_author_by_the_configured_name()
    {
        await using var h = await Harness.StartAsync(configure: Harness.People(new Person { Name = "Dana Agent", CordUserId = "agent_cord" }));
        h.Host.Helpdesk.CreateTicket("tkt_1");
        var message = Canon.Message(MessageKind.InternalNote, "<p>hello</p>", SystemId.Cord, new Author("agent_cord", ExternalId: "agent_cord"));

        await h.System(SystemId.Helpdesk).CreateAsync(Canon.Write(Canon.Link(), message), default);

        Assert.Contains("Dana Agent via Cord", Assert.Single(h.Host.Helpdesk.GetMessages("tkt_1")).Content, StringComparison.Ordinal);
    }
}
