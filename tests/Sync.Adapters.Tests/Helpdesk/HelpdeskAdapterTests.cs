using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Simulators;

namespace MessageSync.Adapters.Tests;

public class HelpdeskAdapterTests
{
    [Fact]
    public async Task All_pages_of_a_1000_message_ticket_are_read()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Helpdesk.CreateTicket("tkt_1");
        for (var i = 0; i < 1000; i++)
        {
            h.Host.Helpdesk.AddMessage("tkt_1", (i % 3) switch { 0 => SimMessageKind.Customer, 1 => SimMessageKind.Agent, _ => SimMessageKind.InternalNote }, $"<p>m{i}</p>", sendEmail: false);
        }

        var all = await h.System(SystemId.Helpdesk).ReadAllAsync(Canon.Link()).ToListAsync();

        Assert.Equal(1000, all.Count);
        Assert.Equal(1000, all.Select(m => m.ExternalId).Distinct().Count());
        Assert.Equal(334, all.Count(m => m.Kind == MessageKind.CustomerMessage));
        Assert.Equal(333, all.Count(m => m.Kind == MessageKind.AgentReply));
        Assert.Equal(333, all.Count(m => m.Kind == MessageKind.InternalNote));
    }

    [Theory]
    [InlineData(MessageKind.CustomerMessage, "request")]
    [InlineData(MessageKind.AgentReply, "response")]
    [InlineData(MessageKind.InternalNote, "note")]
    [InlineData(MessageKind.SystemEvent, "note")]
    public async Task Every_kind_is_written_with_send_email_false_marker_and_attachment_links(MessageKind kind, string type)
    {
        await using var h = await Harness.StartAsync();
        h.Host.Helpdesk.CreateTicket("tkt_1");
        var message = Canon.Message(kind, origin: SystemId.Pylon, attachments: [new Attachment("shot.png", "https://files.example.com/shot.png")]);

        var id = (await h.System(SystemId.Helpdesk).CreateAsync(Canon.Write(Canon.Link(), message), default)).ExternalId;

        var written = Assert.Single(h.Host.Helpdesk.GetMessages("tkt_1"));
        Assert.Equal(id, written.Id);
        Assert.Equal(type, written.Type);
        Assert.False(written.SendEmail);
        Assert.Empty(h.Host.Helpdesk.EmailsSent);
        Assert.Equal(message.Id, SyncMarker.Find(written.Content));
        Assert.Contains("https://files.example.com/shot.png", written.Content, StringComparison.Ordinal);
        Assert.Contains("Ana Ruiz via Pylon", written.Content, StringComparison.Ordinal);
        Assert.Equal(id, (await h.System(SystemId.Helpdesk).FindMirrorAsync(Canon.Link(), message.Id, [], default)).ExternalId);
    }

    [Theory]
    [InlineData(MessageKind.CustomerMessage)]
    [InlineData(MessageKind.AgentReply)]
    public async Task Internal_note_is_never_written_as_request_or_response_even_if_asked(MessageKind asked)
    {
        await using var h = await Harness.StartAsync();
        h.Host.Helpdesk.CreateTicket("tkt_1");
        await Assert.ThrowsAsync<VisibilityViolationException>(() =>
            h.System(SystemId.Helpdesk).CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote), asked), default));
        Assert.Empty(h.Host.Helpdesk.GetMessages("tkt_1"));
        Assert.Equal(0, h.Host.Helpdesk.GetStats(HelpdeskSimulator.Create).Requests);
    }

    [Fact]
    public async Task A_closed_ticket_parks_the_change()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Helpdesk.CreateTicket("tkt_1");
        h.Host.Helpdesk.CloseTicket("tkt_1");
        var ex = await Assert.ThrowsAsync<ConversationClosedException>(() =>
            h.System(SystemId.Helpdesk).CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote)), default));
        Assert.Equal("TICKET_CLOSED", ex.Code);
    }

    [Fact]
    public async Task An_expired_session_is_an_authentication_error_and_a_renewed_file_is_picked_up()
    {
        var file = Path.GetTempFileName();
        try
        {
            // Tokens minted with the simulators' default secret are accepted by any simulator started with defaults.
            await File.WriteAllTextAsync(file, HelpdeskSimulator.MintToken(new SimulatorOptions(), lifetime: TimeSpan.FromSeconds(-5)));
            await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Sync:Helpdesk:SessionToken"] = null,
                ["Sync:Helpdesk:SessionTokenFile"] = file,
            });
            h.Host.Helpdesk.CreateTicket("tkt_1");
            var helpdesk = h.System(SystemId.Helpdesk);
            var ex = await Assert.ThrowsAsync<AuthenticationException>(() => helpdesk.ReadPageAsync(Canon.Link(), null, default));
            Assert.Contains("401", ex.Message, StringComparison.Ordinal);

            await File.WriteAllTextAsync(file, h.Host.MintHelpdeskToken());
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
            var page = await helpdesk.ReadPageAsync(Canon.Link(), null, default);
            Assert.Empty(page.Messages);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_viewer_session_reads_but_cannot_create()
    {
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Sync:Helpdesk:SessionToken"] = HelpdeskSimulator.MintToken(new SimulatorOptions(), role: "viewer"),
        });
        h.Host.Helpdesk.CreateTicket("tkt_1");
        var helpdesk = h.System(SystemId.Helpdesk);
        await helpdesk.ReadPageAsync(Canon.Link(), null, default);
        await Assert.ThrowsAsync<AuthenticationException>(() =>
            helpdesk.CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote)), default));
    }

    [Fact]
    public async Task Helpdesk_declares_no_edit_redact_or_delete_and_refuses_them()
    {
        await using var h = await Harness.StartAsync();
        var helpdesk = h.System(SystemId.Helpdesk);
        Assert.False(helpdesk.Capabilities.CanEdit || helpdesk.Capabilities.CanRedact || helpdesk.Capabilities.CanDelete);
        Assert.Equal(AttachmentSupport.Links, helpdesk.Capabilities.Attachments);
        await Assert.ThrowsAsync<LocalRefusalException>(() => helpdesk.RedactAsync(Canon.Link(), "x", default));
        await Assert.ThrowsAsync<LocalRefusalException>(() => helpdesk.DeleteAsync(Canon.Link(), "x", DeleteMode.Hard, default));
    }

    [Fact]
    public async Task Hostile_html_never_reaches_the_helpdesk_unsanitised()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Helpdesk.CreateTicket("tkt_1");
        const string hostile = """<div><iframe src="https://evil"></iframe><p style="x" onmouseover="a()">hi</p><script>alert(1)</script><a href="javascript:alert(3)">x</a></div>""";
        await h.System(SystemId.Helpdesk).CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote, hostile)), default);
        var written = Assert.Single(h.Host.Helpdesk.GetMessages("tkt_1"));
        foreach (var bad in new[] { "<script", "<iframe", "onmouseover", "javascript:" })
        {
            Assert.DoesNotContain(bad, written.Content, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Server_errors_on_list_are_retried_but_a_create_is_not_sent_twice()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Helpdesk.CreateTicket("tkt_1");
        h.Host.Helpdesk.SetFault(HelpdeskSimulator.List, new FaultSpec { ServerErrorRate = 1, Count = 2 });
        await h.System(SystemId.Helpdesk).ReadPageAsync(Canon.Link(), null, default);

        h.Host.Helpdesk.SetFault(HelpdeskSimulator.Create, new FaultSpec { ServerErrorRate = 1, Count = 1 });
        await Assert.ThrowsAsync<TransientApiException>(() =>
            h.System(SystemId.Helpdesk).CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote)), default));
        Assert.Equal(1, h.Host.Helpdesk.GetStats(HelpdeskSimulator.Create).Requests);
    }
}
