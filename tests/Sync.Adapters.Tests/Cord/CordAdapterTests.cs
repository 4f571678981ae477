using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MessageSync.Adapters.Cord;
using MessageSync.Core.Detection;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using MessageSync.Simulators;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Tests;

public class CordAdapterTests
{
    [Theory]
    [InlineData(CordOptions.Ascending)]
    [InlineData(CordOptions.Descending)]
    public async Task A_10000_message_thread_is_read_in_one_request_oldest_first_and_diffed_once(string sortDirection)
    {
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?> { ["Sync:Cord:ThreadSortDirection"] = sortDirection });
        h.Host.Cord.CreateThread("th_1");
        for (var i = 0; i < 10_000; i++)
        {
            h.Host.Cord.AddMessage("th_1", i % 2 == 0 ? "customer_1" : "agent_1", $"m{i}");
        }

        var link = Canon.Link(cordVisible: true, agents: "agent_1");
        var page = await h.System(SystemId.Cord).ReadPageAsync(link, null, default);
        var detected = new ChangeDetector().Detect(link, SystemId.Cord, page.Messages, new Dictionary<string, SnapshotEntry>(), fullScan: true);

        Assert.False(page.HasMore);
        Assert.Null(page.NextCursor);
        Assert.Equal(1, h.Host.Cord.GetStats(CordSimulator.ListThread).Requests);
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => $"m{i}"), page.Messages.Select(m => m.BodyText.Trim()));
        Assert.Equal(5_000, page.Messages.Count(m => m.Kind == MessageKind.AgentReply));
        Assert.Equal(10_000, detected.Changes.Count(c => c.Kind == ChangeKind.Created));
        Assert.Equal(10_000, detected.Changes.Select(c => c.ExternalId).Distinct().Count());
    }

    [Fact]
    public async Task A_thread_body_is_mapped_message_by_message_while_it_arrives_not_buffered_whole()
    {
        // The body's second half is held back until the first message has been mapped: a client that buffered the whole
        // body first (or deserialised the whole array before mapping) would wait for ever and time out here.
        var firstMapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var head = Encoding.UTF8.GetBytes("[" + CordJson("m1", "first") + ",");
        var tail = Encoding.UTF8.GetBytes(CordJson("m2", "second") + "]");
        using var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new GatedStream(head, tail, firstMapped.Task)),
        });
        using var http = new HttpClient(stub) { BaseAddress = new Uri("http://127.0.0.1/") };
        var client = new CordClient(http, Options.Create(new CordOptions { ApplicationId = "a", Secret = "s" }));

        var read = await client.ReadThreadAsync("th_1", CordOptions.Ascending, m =>
        {
            firstMapped.TrySetResult();
            return m.Id;
        }, default).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["m1", "m2"], read);
        Assert.Equal("v1/threads/th_1/messages?sortDirection=ascending", stub.LastRequest!.RequestUri!.PathAndQuery.TrimStart('/'));
    }

    [Theory]
    [InlineData("")]
    [InlineData("OK")]
    [InlineData("""{"success":true}""")]
    public async Task A_write_answered_with_any_success_body_succeeds_because_none_is_documented(string answer)
    {
        using var stub = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer) });
        using var http = new HttpClient(stub) { BaseAddress = new Uri("http://127.0.0.1/") };
        var client = new CordClient(http, Options.Create(new CordOptions { ApplicationId = "a", Secret = "s" }));

        await client.CreateAsync("th_1", new Cord.Models.CordCreateMessageRequest { Id = "m1", AuthorId = "u1", Content = [] }, default);
        await client.UpdateAsync("th_1", "m1", new Cord.Models.CordUpdateMessageRequest { Deleted = true }, default);

        Assert.Equal(2, stub.Calls);
    }

    private static string CordJson(string id, string text) =>
        $$$"""{"id":"{{{id}}}","authorID":"u1","threadID":"th_1","type":"user_message","content":[{"type":"p","children":[{"text":"{{{text}}}"}]}],"createdTimestamp":"2025-01-01T00:00:00Z"}""";

    /// <summary>Serves <c>head</c>, then waits for <c>gate</c> before serving <c>tail</c>.</summary>
    private sealed class GatedStream(byte[] head, byte[] tail, Task gate) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == head.Length)
            {
                await gate.WaitAsync(cancellationToken);
            }

            var source = _position < head.Length ? head.AsMemory(_position) : tail.AsMemory(_position - head.Length);
            var n = Math.Min(source.Length, buffer.Length);
            source[..n].CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Create_uses_a_deterministic_id_metadata_and_links_and_a_retry_finds_it()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Cord.CreateThread("th_1");
        var cord = h.System(SystemId.Cord);
        var message = Canon.Message(MessageKind.InternalNote, "<p>Hello <strong>Cord</strong></p>", attachments: [new Attachment("a.pdf", "https://files.example.com/a.pdf")]);

        var id = (await cord.CreateAsync(Canon.Write(Canon.Link(), message), default)).ExternalId;
        var again = (await cord.CreateAsync(Canon.Write(Canon.Link(), message), default)).ExternalId;

        Assert.Equal("ms-" + message.Id.ToString("N"), id);
        Assert.Equal(id, again);
        var written = Assert.Single(h.Host.Cord.GetMessages("th_1"));
        Assert.Equal(message.Id.ToString("D"), written.Metadata[CordMapper.CanonicalIdKey].ToString());
        Assert.Equal("InternalNote", written.Metadata[CordMapper.KindKey].ToString());
        Assert.Equal("user_message", written.Type);
        Assert.Contains("https://files.example.com/a.pdf", written.ContentJson, StringComparison.Ordinal);
        Assert.Equal(id, (await cord.FindMirrorAsync(Canon.Link(), message.Id, [], default)).ExternalId);
        Assert.True((await cord.FindMirrorAsync(Canon.Link(), Guid.NewGuid(), [], default)).IsAbsent);
        var read = Assert.Single(await cord.ReadAllAsync(Canon.Link()).ToListAsync());
        Assert.Equal(message.Id, read.SyncId);
    }

    [Fact]
    public async Task Edit_redact_soft_and_hard_delete_reach_Cord()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Cord.CreateThread("th_1");
        var cord = h.System(SystemId.Cord);
        var link = Canon.Link();
        var m1 = Canon.Message(MessageKind.InternalNote, "<p>v1 card 4111</p>");
        var id1 = (await cord.CreateAsync(Canon.Write(link, m1), default)).ExternalId;
        var id2 = (await cord.CreateAsync(Canon.Write(link, Canon.Message(MessageKind.InternalNote)), default)).ExternalId;
        var id3 = (await cord.CreateAsync(Canon.Write(link, Canon.Message(MessageKind.InternalNote)), default)).ExternalId;

        await cord.EditAsync(Canon.Write(link, m1 with { BodyHtml = "<p>v2</p>" }), id1, default);
        Assert.Contains("v2", h.Host.Cord.GetMessages("th_1").Single(m => m.Id == id1).ContentJson, StringComparison.Ordinal);
        await cord.RedactAsync(link, id1, default);
        await cord.DeleteAsync(link, id2, DeleteMode.Soft, default);
        await cord.DeleteAsync(link, id3, DeleteMode.Hard, default);
        await cord.DeleteAsync(link, id3, DeleteMode.Hard, default);

        var state = h.Host.Cord.GetMessages("th_1");
        var redacted = state.Single(m => m.Id == id1);
        Assert.DoesNotContain("4111", redacted.ContentJson, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", redacted.Plaintext, StringComparison.Ordinal);
        Assert.NotNull(state.Single(m => m.Id == id2).DeletedTimestamp);
        Assert.True(state.Single(m => m.Id == id3).HardDeleted);
        var read = await cord.ReadAllAsync(link).ToListAsync();
        Assert.Equal(2, read.Count);
        Assert.True(read.Single(m => m.ExternalId == id1).IsRedacted);
        Assert.True(read.Single(m => m.ExternalId == id2).IsDeleted);
    }

    [Fact]
    public async Task Internal_note_is_never_written_into_a_customer_visible_thread()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Cord.CreateThread("th_1");
        var visible = Canon.Link(cordVisible: true);
        await Assert.ThrowsAsync<VisibilityViolationException>(() =>
            h.System(SystemId.Cord).CreateAsync(Canon.Write(visible, Canon.Message(MessageKind.InternalNote), MessageKind.CustomerMessage), default));
        Assert.Empty(h.Host.Cord.GetMessages("th_1"));
        Assert.Equal(0, h.Host.Cord.GetStats(CordSimulator.CreateKey).Requests);
        await h.System(SystemId.Cord).CreateAsync(Canon.Write(visible, Canon.Message(MessageKind.CustomerMessage)), default);
    }

    [Fact]
    public async Task The_first_write_creates_a_missing_thread_when_configured()
    {
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?> { ["Sync:Cord:CreateThreadOrganizationId"] = "org_1" });
        var id = (await h.System(SystemId.Cord).CreateAsync(Canon.Write(Canon.Link(cord: "th_new"), Canon.Message(MessageKind.InternalNote)), default)).ExternalId;
        var thread = Assert.Single(h.Host.Cord.GetState(), t => t.Id == "th_new");
        Assert.Equal("org_1", thread.GroupId);
        Assert.Equal(id, Assert.Single(thread.Messages).Id);
    }

    [Fact]
    public async Task Hostile_html_never_reaches_Cord_unsanitised()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Cord.CreateThread("th_1");
        const string hostile = """<p>hi<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">click</a></p>""";
        await h.System(SystemId.Cord).CreateAsync(Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote, hostile)), default);
        var written = Assert.Single(h.Host.Cord.GetMessages("th_1"));
        foreach (var bad in new[] { "script", "onerror", "javascript:", "alert(1)" })
        {
            Assert.DoesNotContain(bad, written.ContentJson, StringComparison.OrdinalIgnoreCase);
        }

        Assert.IsType<JsonArray>(JsonNode.Parse(written.ContentJson));
    }

    [Fact]
    public async Task A_dropped_create_is_retried_safely_with_its_deterministic_id()
    {
        await using var h = await Harness.StartAsync();
        h.Host.Cord.CreateThread("th_1");
        h.Host.Cord.SetFault(CordSimulator.CreateKey, new FaultSpec { DropRate = 1, Count = 1 });
        var message = Canon.Message(MessageKind.InternalNote);
        var id = (await h.System(SystemId.Cord).CreateAsync(Canon.Write(Canon.Link(), message), default)).ExternalId;
        Assert.Equal(id, Assert.Single(h.Host.Cord.GetMessages("th_1")).Id);
    }

    [Fact]
    public async Task A_token_for_another_app_is_an_authentication_error()
    {
        await using var h = await Harness.StartAsync(settings: new Dictionary<string, string?> { ["Sync:Cord:Secret"] = "not-the-secret" });
        h.Host.Cord.CreateThread("th_1");
        await Assert.ThrowsAsync<AuthenticationException>(() => h.System(SystemId.Cord).ReadPageAsync(Canon.Link(), null, default));
    }
}
