using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Tests;

/// <summary>
/// What a create or edit says the copy will look like is what a read shows (issue 9.11): the engine's baseline for a fresh
/// mirror, which tells a person's edit made before the first read-back from our own write.
/// </summary>
public sealed class AsWrittenTests : IAsyncLifetime
{
    private Harness _h = null!;

    public async Task InitializeAsync() => _h = await Harness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    public static TheoryData<SystemId, MessageKind> Writes => new()
    {
        { SystemId.Pylon, MessageKind.InternalNote },
        { SystemId.Pylon, MessageKind.CustomerMessage },
        { SystemId.Helpdesk, MessageKind.InternalNote },
        { SystemId.Helpdesk, MessageKind.AgentReply },
        { SystemId.Cord, MessageKind.InternalNote },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_created_copy_reads_back_with_the_words_and_attachments_the_create_announced(SystemId target, MessageKind kind)
    {
        _h.Host.Pylon.CreateIssue("iss_1", "contact_1", "ana@example.com", "Ana Ruiz");
        _h.Host.Pylon.AddMessage("iss_1", Simulators.SimMessageKind.Customer, "<p>first</p>");
        _h.Host.Helpdesk.CreateTicket("tkt_1");
        _h.Host.Cord.CreateThread("th_1");
        var message = Canon.Message(kind, "<p>Hello <b>there</b>,<br>see the <a href=\"https://x.example/a\">log</a></p>", SystemId.Cord,
            attachments: [new Attachment("a.png", "https://files.example.com/a.png?sig=1")]);
        var adapter = _h.System(target);

        var written = await adapter.CreateAsync(Canon.Write(Canon.Link(), message, label: "Edited in Cord"), default);
        var read = await ReadAsync(adapter, written.ExternalId);

        Assert.Equal(Words(read.BodyText), Words(written.AsWritten.BodyText));
        Assert.Equal(read.Attachments.Select(a => a.Url.Split('?')[0]), written.AsWritten.Attachments.Select(a => a.Url.Split('?')[0]));
    }

    [Fact]
    public async Task A_Cord_copy_found_by_recovery_has_the_baseline_its_create_announced()
    {
        _h.Host.Cord.CreateThread("th_1");
        var cord = _h.System(SystemId.Cord);
        var request = Canon.Write(Canon.Link(), Canon.Message(MessageKind.InternalNote, "<p>Hello <b>there</b></p>", SystemId.Pylon,
            attachments: [new Attachment("a.png", "https://files.example.com/a.png?sig=1")]));
        var written = await cord.CreateAsync(request, default);

        var asCreated = cord.AsCreated(request, written.ExternalId);

        Assert.NotNull(asCreated);
        Assert.Equal(Words(written.AsWritten.BodyText), Words(asCreated.BodyText));
        Assert.Equal(Words((await ReadAsync(cord, written.ExternalId)).BodyText), Words(asCreated.BodyText));
        Assert.Equal(written.AsWritten.Attachments.Select(a => a.Url), asCreated.Attachments.Select(a => a.Url));
    }

    [Fact]
    public async Task An_edited_Cord_copy_reads_back_as_the_edit_announced()
    {
        _h.Host.Cord.CreateThread("th_1");
        var cord = _h.System(SystemId.Cord);
        var message = Canon.Message(MessageKind.InternalNote);
        var id = (await cord.CreateAsync(Canon.Write(Canon.Link(), message), default)).ExternalId;

        var asWritten = await cord.EditAsync(Canon.Write(Canon.Link(), message with { BodyHtml = "<p>Hello <i>again</i></p>" }), id, default);

        Assert.Equal(Words((await ReadAsync(cord, id)).BodyText), Words(asWritten.BodyText));
    }

    private static async Task<ObservedMessage> ReadAsync(IMessageSystem adapter, string externalId)
    {
        await foreach (var (_, page) in adapter.ReadPagesAsync(Canon.Link()))
        {
            if (page.Messages.FirstOrDefault(m => m.ExternalId == externalId) is { } found)
            {
                return found;
            }
        }

        throw new InvalidOperationException($"{externalId} was not read back");
    }

    private static string Words(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
