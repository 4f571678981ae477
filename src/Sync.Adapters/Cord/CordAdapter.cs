using System.Text.Json;
using MessageSync.Adapters.Cord.Models;
using MessageSync.Adapters.People;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Cord;

/// <summary>
/// Cord as a target and a source. Every kind is written as a <c>user_message</c> with a deterministic id and the
/// canonical id and kind in <c>metadata</c>; edit and redact are PUTs of the content; delete is soft (PUT deleted) or
/// hard (DELETE). Attachments travel as links in the content: Cord attaches only files uploaded through its file API.
/// </summary>
public sealed class CordAdapter(CordClient client, IOptions<CordOptions> options, IPeopleSource people, TimeProvider time) : IMessageSystem
{
    private readonly CordOptions _options = options.Value;

    public SystemId System => SystemId.Cord;

    public SystemCapabilities Capabilities { get; } = new()
    {
        CreatableKinds = new HashSet<MessageKind> { MessageKind.CustomerMessage, MessageKind.AgentReply, MessageKind.InternalNote, MessageKind.SystemEvent },
        CanEdit = true,
        CanRedact = true,
        CanDelete = true,
        CanSoftDelete = true,
        Attachments = AttachmentSupport.Links,
        CanPostAsAuthor = true,
    };

    /// <summary>
    /// The whole thread in one read (api-docs 003 documents no paging for a thread): there is no cursor, so every poll of
    /// a Cord thread is a full scan, which also shows hard deletions. Messages are handed on oldest first whatever order
    /// Cord answers in (a stable sort: equal timestamps keep Cord's order).
    /// </summary>
    public async Task<MessagePage> ReadPageAsync(ConversationLink link, string? cursor, CancellationToken cancellationToken)
    {
        var messages = await client.ReadThreadAsync(ThreadOf(link), _options.ThreadSortDirection, m => CordMapper.ToObserved(m, link), cancellationToken);
        if (_options.ThreadSortDirection == CordOptions.Descending)
        {
            messages.Reverse();
        }

        return new MessagePage(OldestFirst(messages), NextCursor: null, HasMore: false);
    }

    private static List<ObservedMessage> OldestFirst(List<ObservedMessage> messages)
    {
        for (var i = 1; i < messages.Count; i++)
        {
            if (messages[i].CreatedAt < messages[i - 1].CreatedAt)
            {
                return [.. messages.OrderBy(m => m.CreatedAt)];
            }
        }

        return messages;
    }

    /// <summary>GET /v1/threads/{threadID}/messages/{messageID} (api-docs README): 404, or a soft delete, means gone.</summary>
    public async Task<MessagePresence> ProbeAsync(ConversationLink link, string externalId, CancellationToken cancellationToken) =>
        await client.GetAsync(ThreadOf(link), externalId, cancellationToken) is { DeletedTimestamp: null } ? MessagePresence.Present : MessagePresence.Gone;

    public async Task<WrittenMessage> CreateAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        VisibilityGuard.EnsureAllowed(System, request, sendsEmail: false);
        var threadId = ThreadOf(request.Link);
        (request, var authorId) = AsAuthor(request);
        var message = request.Message;
        var id = CordMapper.MessageIdFor(request.Marker, _options.MessageIdPrefix);
        var body = new CordCreateMessageRequest
        {
            Id = id,
            AuthorId = authorId ?? _options.BotUserId,
            Content = ContentFor(request, attribute: authorId is null),
            Type = "user_message",
            Metadata = CordMapper.MetadataFor(request.Marker, message, request.TargetKind),
            CreateThread = _options.CreateThreadOrganizationId is { Length: > 0 } org
                ? new CordCreateThread
                {
                    Name = Fill(_options.CreateThreadName, request.Link, threadId),
                    Url = Fill(_options.CreateThreadUrl, request.Link, threadId),
                    OrganizationId = org,
                }
                : null,
        };
        try
        {
            await client.CreateAsync(threadId, body, cancellationToken);
        }
        catch (PermanentApiException ex) when (ex.StatusCode == 409)
        {
            // The id is ours and deterministic: a 409 means an earlier attempt (whose answer was lost) created it.
        }

        return new WrittenMessage(id, AsWritten(id, body.AuthorId, body.Content, request.Link));
    }

    /// <summary>Cord stores the content it is given (api-docs 003): the copy a create of this request made is known from the request.</summary>
    public ObservedMessage AsCreated(WriteRequest request, string externalId)
    {
        (request, var authorId) = AsAuthor(request);
        return AsWritten(externalId, authorId ?? _options.BotUserId, ContentFor(request, attribute: authorId is null), request.Link);
    }

    public async Task<ObservedMessage> EditAsync(WriteRequest request, string externalId, CancellationToken cancellationToken)
    {
        VisibilityGuard.EnsureAllowed(System, request, sendsEmail: false);
        (request, var authorId) = AsAuthor(request);
        var content = ContentFor(request, attribute: authorId is null);
        await client.UpdateAsync(ThreadOf(request.Link), externalId, new CordUpdateMessageRequest { Content = content }, cancellationToken);
        return AsWritten(externalId, authorId ?? _options.BotUserId, content, request.Link);
    }

    /// <summary>
    /// The copy as a read will show it: Cord stores the structured content it is given and answers a write with no message
    /// (api-docs 003), so the content sent is read through the same mapping as a read.
    /// </summary>
    private ObservedMessage AsWritten(string id, string? authorId, System.Text.Json.Nodes.JsonArray content, ConversationLink link) =>
        CordMapper.ToObserved(new CordMessage { Id = id, AuthorId = authorId, Content = content, Type = "user_message", CreatedTimestamp = time.GetUtcNow() }, link);

    public async Task RedactAsync(ConversationLink link, string externalId, CancellationToken cancellationToken)
    {
        var threadId = ThreadOf(link);
        var current = await client.GetAsync(threadId, externalId, cancellationToken)
            ?? throw new NotFoundException(System, $"Cord message {externalId} not found in thread {threadId}.");
        var metadata = (current.Metadata ?? []).Where(kv => kv.Value.ValueKind == JsonValueKind.String)
            .ToDictionary(kv => kv.Key, kv => kv.Value.GetString()!, StringComparer.Ordinal);
        metadata[CordMapper.RedactedKey] = "true";
        // Files go too: a redaction removes everything a person could read.
        var files = (current.Attachments ?? []).Where(a => a.Type == "file" && a.Id is not null).Select(a => new CordAttachmentRef { Id = a.Id! }).ToList();
        await client.UpdateAsync(threadId, externalId, new CordUpdateMessageRequest
        {
            Content = CordMapper.RedactedContent(),
            Metadata = metadata,
            RemoveAttachments = files.Count > 0 ? files : null,
        }, cancellationToken);
    }

    public async Task DeleteAsync(ConversationLink link, string externalId, DeleteMode mode, CancellationToken cancellationToken)
    {
        var threadId = ThreadOf(link);
        try
        {
            if (mode == DeleteMode.Soft)
            {
                await client.UpdateAsync(threadId, externalId, new CordUpdateMessageRequest { Deleted = true }, cancellationToken);
            }
            else
            {
                await client.DeleteAsync(threadId, externalId, cancellationToken);
            }
        }
        catch (NotFoundException) when (mode == DeleteMode.Hard)
        {
            // Already removed (a retry after a lost answer): the wanted state holds.
        }
    }

    /// <summary>
    /// A copy of ours has the id derived from its marker (Cord takes caller-chosen ids, api-docs 003): one GET answers exactly,
    /// whatever Cord does to the content.
    /// </summary>
    public async Task<MirrorSearch> FindMirrorAsync(ConversationLink link, Guid marker, IReadOnlyCollection<OwnWrite> ownWrites, CancellationToken cancellationToken)
    {
        var id = CordMapper.MessageIdFor(marker, _options.MessageIdPrefix);
        var found = await client.GetAsync(ThreadOf(link), id, cancellationToken);
        return found is null ? MirrorSearch.Absent : MirrorSearch.Found(found.Id);
    }

    private static System.Text.Json.Nodes.JsonArray ContentFor(WriteRequest request, bool attribute) =>
        HtmlToCord.Convert(MirrorBody.Build(request, attribute, attachmentsAsLinks: true, withMarker: false));

    /// <summary>
    /// The Cord user a mirror is written as (<c>authorID</c>): the author's own id for a message read from Cord, else the
    /// person's <c>CordUserId</c> in <c>Sync:People</c>; null means the bot user with an attribution line, which names
    /// the person as configured.
    /// </summary>
    private (WriteRequest Request, string? AuthorId) AsAuthor(WriteRequest request)
    {
        var directory = people.Current;
        var message = request.Message;
        var authorId = message.Origin.System == SystemId.Cord && message.Author.ExternalId is { Length: > 0 } own
            ? own
            : directory.AuthorOf(message)?.CordUserId;
        return (directory.Named(request), authorId);
    }

    private static string Fill(string template, ConversationLink link, string threadId) =>
        template.Replace("{link}", link.Id, StringComparison.Ordinal).Replace("{thread}", Uri.EscapeDataString(threadId), StringComparison.Ordinal);

    private string ThreadOf(ConversationLink link) =>
        link.CordThreadId is { Length: > 0 } id ? id : throw new LocalRefusalException(System, $"Link {link.Id} has no Cord thread.");
}
