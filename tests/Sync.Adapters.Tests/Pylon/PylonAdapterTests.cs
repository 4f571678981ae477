using MessageSync.Adapters.Http;
using MessageSync.Adapters.Pylon;
using MessageSync.Core.Content;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using Microsoft.Extensions.DependencyInjection;
using MessageSync.Simulators;

namespace MessageSync.Adapters.Tests;

public class PylonAdapterTests
{
    [Fact]
    public async Task All_pages_of_a_1000_message_issue_are_read()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        for (var i = 0; i < 1000; i++)
        {
            h.Host.Pylon.AddMessage("iss_1", (i % 3) switch { 0 => SimMessageKind.Customer, 1 => SimMessageKind.Agent, _ => SimMessageKind.InternalNote }, $"<p>m{i}</p>");
        }

        var all = await h.System(SystemId.Pylon).ReadAllAsync(Canon.Link()).ToListAsync();

        Assert.Equal(1000, all.Count);
        Assert.Equal(1000, all.Select(m => m.ExternalId).Distinct().Count());
        Assert.Equal("m999", all[^1].BodyText.Trim());
        Assert.Equal(334, all.Count(m => m.Kind == MessageKind.CustomerMessage));
        Assert.Equal(333, all.Count(m => m.Kind == MessageKind.InternalNote));
        Assert.True(h.Host.Pylon.GetStats(PylonSimulator.ListMessages).Requests >= 10);
    }

    [Fact]
    public async Task Notes_go_into_one_sync_thread_created_once_per_issue()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        var pylon = h.System(SystemId.Pylon);
        var first = (await pylon.CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote)), default)).ExternalId;
        var second = (await pylon.CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote)), default)).ExternalId;

        var threads = h.Host.Pylon.GetThreads("iss_1");
        var thread = Assert.Single(threads);
        Assert.Equal("MessageSync", thread.Name);
        var messages = h.Host.Pylon.GetMessages("iss_1");
        Assert.All(messages, m => Assert.Equal(thread.Id, m.ThreadId));
        Assert.Equal([first, second], messages.Select(m => m.Id));
        Assert.Equal(1, h.Host.Pylon.GetStats(PylonSimulator.CreateThreadKey).Requests);
    }

    [Fact]
    public async Task An_existing_sync_thread_is_found_not_created_again()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        var existing = h.Host.Pylon.CreateThread("iss_1", "MessageSync");
        await h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote)), default);
        Assert.Equal(existing.Id, Assert.Single(h.Host.Pylon.GetMessages("iss_1")).ThreadId);
        Assert.Equal(0, h.Host.Pylon.GetStats(PylonSimulator.CreateThreadKey).Requests);
    }

    [Fact]
    public async Task Customer_message_is_a_reply_as_the_contact_to_the_latest_visible_message_with_marker_and_files()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1", "contact_9", "ana@example.com", "Ana Ruiz");
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>first</p>");
        var latest = h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Agent, "<p>answer</p>");
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.InternalNote, "<p>internal</p>");
        var message = Canon.Message(MessageKind.CustomerMessage, attachments: [new Attachment("log.txt", "https://files.example.com/log.txt")]);

        var id = (await h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(), message), default)).ExternalId;

        var written = h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id);
        Assert.Equal("contact_9", written.ContactId);
        Assert.False(written.IsPrivate);
        Assert.Equal(latest.Id, written.ReplyToMessageId);
        Assert.Equal(message.Id, SyncMarker.Find(written.MessageHtml));
        Assert.Equal(["https://files.example.com/log.txt"], written.FileUrls);
        Assert.Equal(id, (await h.System(SystemId.Pylon).FindMirrorAsync(Canon.Link(), message.Id, [], default)).ExternalId);
    }

    [Fact]
    public async Task Agent_reply_is_refused_as_a_reply_unless_the_link_delivers_via_Pylon()
    {
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?> { ["Sync:Pylon:UserIdsByEmail:ana@example.com"] = "usr_ana" });
        h.Host.Pylon.CreateIssue("iss_1");
        h.Host.Pylon.AddUser("usr_ana", "Ana Ruiz", "ana@example.com");
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>hi</p>");
        var pylon = h.System(SystemId.Pylon);
        var reply = Canon.Message(MessageKind.AgentReply);

        await Assert.ThrowsAsync<VisibilityViolationException>(() => pylon.CreateAsync(Canon.Write(Canon.Link(), reply), default));
        var id = (await pylon.CreateAsync(Canon.Write(Canon.Link(delivery: ReplyDelivery.Pylon), reply), default)).ExternalId;

        var written = h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id);
        Assert.Equal("usr_ana", written.UserId);
        Assert.True(written.ReachedCustomer);
    }

    [Fact]
    public async Task Agent_reply_mirrored_as_labelled_note_stays_internal_with_attribution()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        var id = (await h.System(SystemId.Pylon).CreateAsync(
            Canon.Write(Canon.Link(), Canon.Message(MessageKind.AgentReply), MessageKind.InternalNote, "Sent to the customer via helpdesk"), default)).ExternalId;
        var written = h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id);
        Assert.True(written.IsPrivate);
        Assert.False(written.ReachedCustomer);
        Assert.Contains("Sent to the customer via helpdesk", written.MessageHtml, StringComparison.Ordinal);
        Assert.Contains("Ana Ruiz via helpdesk", written.MessageHtml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MessageKind.CustomerMessage)]
    [InlineData(MessageKind.AgentReply)]
    public async Task Internal_note_is_never_sent_as_a_Pylon_reply_even_if_asked(MessageKind asked)
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>hi</p>");
        var note = Canon.Message(MessageKind.InternalNote);
        await Assert.ThrowsAsync<VisibilityViolationException>(() =>
            h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(delivery: ReplyDelivery.Pylon), note, asked), default));
        Assert.Equal(0, h.Host.Pylon.GetStats(PylonSimulator.Reply).Requests);
        Assert.Single(h.Host.Pylon.GetMessages("iss_1"));
    }

    [Fact]
    public async Task Redaction_and_deletion_reach_Pylon_and_read_back()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        var pylon = h.System(SystemId.Pylon);
        var link = Canon.Link();
        var a = (await pylon.CreateAsync(Canon.Write(link, Canon.Message(MessageKind.InternalNote, "<p>secret 4111</p>")), default)).ExternalId;
        var b = (await pylon.CreateAsync(Canon.Write(link, Canon.Message(MessageKind.InternalNote)), default)).ExternalId;

        await pylon.RedactAsync(link, a, default);
        await pylon.DeleteAsync(link, b, DeleteMode.Hard, default);
        await pylon.DeleteAsync(link, b, DeleteMode.Hard, default);

        var state = h.Host.Pylon.GetMessages("iss_1");
        Assert.True(state.Single(m => m.Id == a).Redacted);
        Assert.DoesNotContain("4111", state.Single(m => m.Id == a).MessageHtml, StringComparison.Ordinal);
        Assert.True(state.Single(m => m.Id == b).Deleted);
        var read = await pylon.ReadAllAsync(link).ToListAsync();
        Assert.True(Assert.Single(read).IsRedacted);
        await Assert.ThrowsAsync<LocalRefusalException>(() => pylon.DeleteAsync(link, a, DeleteMode.Soft, default));
        Assert.False(pylon.Capabilities.CanEdit);
    }

    [Fact]
    public async Task Hostile_html_never_reaches_Pylon_unsanitised()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        const string hostile = """<p onclick="steal()">hi<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a></p>""";
        var id = (await h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote, hostile,
            attachments: [new Attachment("evil", "javascript:alert(4)")])), default)).ExternalId;
        var written = h.Host.Pylon.GetMessages("iss_1").Single(m => m.Id == id);
        foreach (var bad in new[] { "<script", "onerror", "onclick", "javascript:" })
        {
            Assert.DoesNotContain(bad, written.MessageHtml, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Empty(written.FileUrls);
    }

    [Fact]
    public async Task Server_errors_and_dropped_connections_are_retried_for_reads()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>hi</p>");
        h.Host.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { ServerErrorRate = 1, Count = 2 });
        Assert.Single((await h.System(SystemId.Pylon).ReadPageAsync(Canon.Link(), null, default)).Messages);

        h.Host.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { DropRate = 1, Count = 2 });
        Assert.Single((await h.System(SystemId.Pylon).ReadPageAsync(Canon.Link(), null, default)).Messages);
        Assert.True(h.Get<SyncMetrics>().Http(SystemId.Pylon).Retries >= 4);
    }

    [Fact]
    public async Task A_dropped_connection_on_a_reply_is_not_sent_again()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1", "contact_9", "ana@example.com", "Ana Ruiz");
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>hi</p>");
        h.Host.Pylon.SetFault(PylonSimulator.Reply, new FaultSpec { DropRate = 1, Count = 1 });
        await Assert.ThrowsAsync<TransientApiException>(() =>
            h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.CustomerMessage)), default));
        Assert.Equal(1, h.Host.Pylon.GetStats(PylonSimulator.Reply).Requests);
    }

    [Fact]
    public async Task A_failed_read_before_a_reply_or_note_says_the_write_was_not_sent()
    {
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?> { ["Sync:Pylon:MaxRetries"] = "0" });
        h.Host.Pylon.CreateIssue("iss_1", "contact_9", "ana@example.com", "Ana Ruiz");
        h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>hi</p>");
        var pylon = h.System(SystemId.Pylon);

        // The anchor listing a reply needs, then the thread listing a note needs: nothing is sent, so nothing is in doubt.
        h.Host.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { ServerErrorRate = 1, Count = 1 });
        var reply = await Assert.ThrowsAsync<WriteNotSentException>(() => pylon.CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.CustomerMessage)), default));
        h.Host.Pylon.SetFault(PylonSimulator.ListThreads, new FaultSpec { DropRate = 1, Count = 1 });
        var note = await Assert.ThrowsAsync<WriteNotSentException>(() => pylon.CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote)), default));

        Assert.True(reply.IsTransient && note.IsTransient);
        Assert.Equal(0, h.Host.Pylon.GetStats(PylonSimulator.Reply).Requests);
        Assert.Equal(0, h.Host.Pylon.GetStats(PylonSimulator.Note).Requests);
    }

    [Fact]
    public async Task A_redacted_note_outside_our_sync_thread_is_never_taken_for_a_note_of_ours_even_by_a_restarted_adapter()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        var link = Canon.Link();
        var ours = await h.System(SystemId.Pylon).CreateAsync(Canon.Write(link, Canon.Message(MessageKind.InternalNote)), default);
        var theirs = h.Host.Pylon.AddMessage("iss_1", SimMessageKind.InternalNote, "<p>a colleague's note</p>");
        var reply = h.Host.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>a customer's words</p>");
        await h.System(SystemId.Pylon).RedactAsync(link, theirs.Id, default);
        await h.System(SystemId.Pylon).RedactAsync(link, reply.Id, default);

        // A restarted worker: nothing cached, so the adapter looks the sync thread up (and does not create one).
        using var restarted = ActivatorUtilities.CreateInstance<PylonAdapter>(h.Services);
        var threads = h.Host.Pylon.GetStats(PylonSimulator.CreateThreadKey).Requests;
        var search = await restarted.FindMirrorAsync(link, Guid.NewGuid(), [new OwnWrite(Guid.NewGuid(), Guid.NewGuid(), ours.ExternalId, IsNote: false)], default);

        var note = Assert.Single(search.Emptied, e => e.ExternalId == theirs.Id);
        Assert.False(note.CouldBeNote, "a note in another thread than ours");
        Assert.False(note.CouldBeReply);
        Assert.True(Assert.Single(search.Emptied, e => e.ExternalId == reply.Id).CouldBeReply);
        Assert.Equal(threads, h.Host.Pylon.GetStats(PylonSimulator.CreateThreadKey).Requests);
    }

    [Fact]
    public async Task Malformed_json_from_the_API_is_a_typed_error()
    {
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?> { ["Sync:Pylon:MaxRetries"] = "0" });
        h.Host.Pylon.CreateIssue("iss_1");
        h.Host.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { MalformedRate = 1, Count = 1 });
        var ex = await Assert.ThrowsAsync<TransientApiException>(() => h.System(SystemId.Pylon).ReadPageAsync(Canon.Link(), null, default));
        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_injected_429_is_waited_out_and_retried_not_failed()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Pylon.CreateIssue("iss_1");
        h.Host.Pylon.SetFault(PylonSimulator.ListMessages, new FaultSpec { RateLimitRate = 1, Count = 1, RetryAfterSeconds = 1 });
        await h.System(SystemId.Pylon).ReadPageAsync(Canon.Link(), null, default);
        var counters = h.Get<SyncMetrics>().Http(SystemId.Pylon);
        Assert.Equal(1, counters.RateLimited);
        Assert.Equal(0, counters.Failures);
    }

    [Fact]
    public async Task A_wrong_token_is_an_authentication_error()
    {
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?> { ["Sync:Pylon:ApiToken"] = "wrong" });
        h.Host.Pylon.CreateIssue("iss_1");
        await Assert.ThrowsAsync<AuthenticationException>(() => h.System(SystemId.Pylon).ReadPageAsync(Canon.Link(), null, default));
    }
}
