using MessageSync.Adapters.Helpdesk.Models;
using MessageSync.Adapters.People;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;

namespace MessageSync.Adapters.Helpdesk;

/// <summary>
/// The helpdesk as a target and a source. It has create only: no update and no delete API (api-docs 002), so edits,
/// redactions and deletions become recorded outcomes in the engine. Every mirror goes with <c>send_email: false</c>.
/// </summary>
public sealed class HelpdeskAdapter(HelpdeskClient client, IPeopleSource people, TimeProvider time) : IMessageSystem
{
    public SystemId System => SystemId.Helpdesk;

    public SystemCapabilities Capabilities { get; } = new()
    {
        CreatableKinds = new HashSet<MessageKind> { MessageKind.CustomerMessage, MessageKind.AgentReply, MessageKind.InternalNote, MessageKind.SystemEvent },
        CanEdit = false,
        CanRedact = false,
        CanDelete = false,
        CanSoftDelete = false,
        Attachments = AttachmentSupport.Links,
        CanPostAsAuthor = false,
    };

    /// <summary>
    /// The cursor is the page number (with the ids <see cref="PageGuard"/> needs); on the last page it stays, so the next
    /// poll sees what was appended.
    /// </summary>
    public async Task<MessagePage> ReadPageAsync(ConversationLink link, string? cursor, CancellationToken cancellationToken)
    {
        var page = await client.ReadPageAsync(TicketOf(link), cursor, cancellationToken);
        return new MessagePage(page.Items.Select(HelpdeskMapper.ToObserved).ToList(), page.NextCursor, page.HasMore);
    }

    /// <summary>GET /helpdesk/api/messages/:messageId (api-docs 002, "Retrieve a message"): 404 means gone.</summary>
    public async Task<MessagePresence> ProbeAsync(ConversationLink link, string externalId, CancellationToken cancellationToken) =>
        await client.GetAsync(externalId, cancellationToken) is null ? MessagePresence.Gone : MessagePresence.Present;

    public async Task<WrittenMessage> CreateAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        var type = HelpdeskMapper.TypeFor(request.TargetKind);
        VisibilityGuard.EnsureAllowed(System, request, sendsEmail: false);
        // The helpdesk API takes no author on create (api-docs 002): the attribution line names the person as configured.
        var html = MirrorBody.Build(people.Current.Named(request), attribute: true, attachmentsAsLinks: true);
        var created = await client.CreateAsync(new HelpdeskCreateMessageRequest
        {
            TicketId = TicketOf(request.Link),
            Type = type,
            Content = html,
            TextContent = PlainText.FromHtml(SyncMarker.Strip(html)),
            // The customer already got this message from where it was written (DESIGN.md "The delivery rule").
            SendEmail = false,
        }, cancellationToken);

        // The create answers the stored message object (api-docs 002, "Create a message"): the copy exactly as a read shows it.
        var stored = created with { Content = created.Content ?? html, Type = string.IsNullOrEmpty(created.Type) ? type : created.Type, CreatedAt = created.CreatedAt ?? time.GetUtcNow() };
        return new WrittenMessage(created.Id, HelpdeskMapper.ToObserved(stored));
    }

    public Task<ObservedMessage> EditAsync(WriteRequest request, string externalId, CancellationToken cancellationToken) =>
        throw Unsupported("edit");

    public Task RedactAsync(ConversationLink link, string externalId, CancellationToken cancellationToken) =>
        throw Unsupported("redact");

    public Task DeleteAsync(ConversationLink link, string externalId, DeleteMode mode, CancellationToken cancellationToken) =>
        throw Unsupported("delete");

    /// <summary>
    /// Null: only the helpdesk's answer says how it stored the body; the helpdesk has no edit (api-docs 002), so a person
    /// cannot change the copy's words and adopting the first read loses nothing.
    /// </summary>
    public ObservedMessage? AsCreated(WriteRequest request, string externalId) => null;

    /// <summary>
    /// Our marker in the ticket's messages, verified against our own writes (issue 9.6); the helpdesk takes no caller-chosen
    /// id and documents nothing about keeping the HTML it is given (api-docs 002), so where the marker may be gone the
    /// answer is "unknown", never a match by content.
    /// </summary>
    public async Task<MirrorSearch> FindMirrorAsync(ConversationLink link, Guid marker, IReadOnlyCollection<OwnWrite> ownWrites, CancellationToken cancellationToken)
    {
        var listed = new List<ListedMessage>();
        await foreach (var m in client.ListAsync(TicketOf(link), cancellationToken))
        {
            var note = string.Equals(m.Type, "note", StringComparison.Ordinal);
            listed.Add(new ListedMessage(m.Id, m.Content, m.CreatedAt, CouldBeNote: note, CouldBeReply: !note));
        }

        return MirrorSearch.ByMarker(marker, listed, ownWrites, "helpdesk");
    }

    private LocalRefusalException Unsupported(string what) =>
        new(System, $"The helpdesk Messages API has no {what} (api-docs 002): Capabilities says so; the engine records the outcome.");

    private string TicketOf(ConversationLink link) =>
        link.HelpdeskTicketId is { Length: > 0 } id ? id : throw new LocalRefusalException(System, $"Link {link.Id} has no helpdesk ticket.");
}
