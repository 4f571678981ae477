using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Tests;

/// <summary>The direct read that confirms a deletion a full scan suggests (issue 9.8), where each API has one.</summary>
public sealed class ProbeTests : IAsyncLifetime
{
    private Harness _h = null!;

    public async Task InitializeAsync() => _h = await Harness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task The_helpdesk_tells_a_message_that_is_there_from_one_that_is_gone()
    {
        _h.Host.Helpdesk.CreateTicket("tkt_1");
        var id = _h.Host.Helpdesk.AddMessage("tkt_1", Simulators.SimMessageKind.Customer, "<p>hi</p>").Id;
        var helpdesk = _h.System(SystemId.Helpdesk);

        Assert.Equal(MessagePresence.Present, await helpdesk.ProbeAsync(Canon.Link(), id, default));
        Assert.Equal(MessagePresence.Gone, await helpdesk.ProbeAsync(Canon.Link(), "hmsg_missing", default));
    }

    [Fact]
    public async Task Cord_reads_a_soft_deleted_or_missing_message_as_gone()
    {
        _h.Host.Cord.CreateThread("th_1");
        var cord = _h.System(SystemId.Cord);
        var live = (await cord.CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote)), default)).ExternalId;
        var deleted = (await cord.CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote)), default)).ExternalId;
        await cord.DeleteAsync(Canon.Link(), deleted, DeleteMode.Soft, default);

        Assert.Equal(MessagePresence.Present, await cord.ProbeAsync(Canon.Link(), live, default));
        Assert.Equal(MessagePresence.Gone, await cord.ProbeAsync(Canon.Link(), deleted, default));
        Assert.Equal(MessagePresence.Gone, await cord.ProbeAsync(Canon.Link(), "ms-missing", default));
    }

    [Fact]
    public async Task Pylon_has_no_single_message_read_and_makes_no_call()
    {
        _h.Host.Pylon.CreateIssue("iss_1");

        Assert.Equal(MessagePresence.Unknown, await _h.System(SystemId.Pylon).ProbeAsync(Canon.Link(), "msg_1", default));
    }
}
