using System.Globalization;
using System.Collections.Concurrent;
using MessageSync.Adapters.Pylon.Models;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Pylon;

/// <summary>
/// Pylon as a target and a source. Notes go into one sync thread per issue (created once: the thread's existence in
/// Pylon is the durable memory, the in-process cache saves the lookup). Customer messages are replies as the contact;
/// agent replies are replies only where the link opts in (delivery rule). Pylon cannot edit.
/// </summary>
public sealed partial class PylonAdapter(PylonClient client, IOptions<PylonOptions> options, TimeProvider time, ILogger<PylonAdapter> logger) : IMessageSystem, IDisposable
{
    private readonly PylonOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, string> _syncThreads = new(StringComparer.Ordinal);

    // What the pollers' reads taught us about each issue (the message a reply answers, the issue's contacts), so a reply
    // does not list the whole issue again: listing shares the 20/min budget with polling.
    private readonly ConcurrentDictionary<string, IssueFacts> _issues = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _threadGate = new(1, 1);

    public SystemId System => SystemId.Pylon;

    public SystemCapabilities Capabilities { get; } = new()
    {
        CreatableKinds = new HashSet<MessageKind> { MessageKind.CustomerMessage, MessageKind.AgentReply, MessageKind.InternalNote, MessageKind.SystemEvent },
        CanEdit = false,
        CanRedact = true,
        CanDelete = true,
        CanSoftDelete = false,
        Attachments = AttachmentSupport.Files,
        CanPostAsAuthor = true,
    };

    /// <summary>One page, each message once even where Pylon ignores the cursor (<see cref="PylonClient.ReadPageAsync"/>).</summary>
    public async Task<MessagePage> ReadPageAsync(ConversationLink link, string? cursor, CancellationToken cancellationToken)
    {
        var issueId = IssueOf(link);
        var page = await client.ReadPageAsync(issueId, cursor, cancellationToken);
        var facts = _issues.GetOrAdd(issueId, _ => new IssueFacts());
        foreach (var m in page.Items)
        {
            facts.Observe(m);
        }

        return new MessagePage(page.Items.Select(PylonMapper.ToObserved).ToList(), page.NextCursor, page.HasMore);
    }

    public async Task<WrittenMessage> CreateAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        var issueId = IssueOf(request.Link);
        var message = request.Message;
        switch (request.TargetKind)
        {
            case MessageKind.InternalNote:
            case MessageKind.SystemEvent:
            {
                VisibilityGuard.EnsureAllowed(System, request, sendsEmail: false);
                var userId = message.Author.IsCustomer ? null : UserIdFor(message);
                var threadId = await EnsureSyncThreadAsync(issueId, cancellationToken);
                var note = new PylonNoteRequest
                {
                    BodyHtml = MirrorBody.Build(request, attribute: userId is null, attachmentsAsLinks: false),
                    ThreadId = threadId,
                    UserId = userId,
                    AttachmentUrls = NullIfEmpty(MirrorBody.SafeUrls(message.Attachments)),
                };
                var created = await client.NoteAsync(issueId, note, cancellationToken);
                return new WrittenMessage(created.Id, AsWritten(created.Id, note.BodyHtml, note.AttachmentUrls, threadId));
            }

            case MessageKind.CustomerMessage:
            case MessageKind.AgentReply:
            {
                // A Pylon reply reaches the customer: never an internal note, and an agent's reply only where the link
                // says the customer is reached through Pylon (DESIGN.md "The delivery rule").
                VisibilityGuard.EnsureAllowed(System, request, sendsEmail: false);

                string? contactId = null;
                string? userId = null;
                bool attribute;
                if (request.TargetKind == MessageKind.CustomerMessage)
                {
                    (contactId, attribute) = MappedContactId(message);
                }
                else
                {
                    userId = UserIdFor(message);
                    attribute = userId is null;
                }

                // The issue is listed only when the parent or the contact is not known already (list budget: 20/min).
                var parentId = request.ParentExternalId;
                if (parentId is null || (request.TargetKind == MessageKind.CustomerMessage && contactId is null))
                {
                    var (latest, issueContacts) = await ParentAndContactsAsync(issueId, cancellationToken);
                    parentId ??= latest ?? throw new LocalRefusalException(System, $"Pylon issue {issueId} has no customer-visible message to reply to.");
                    if (request.TargetKind == MessageKind.CustomerMessage && contactId is null)
                    {
                        (contactId, attribute) = IssueContactId(message, issueContacts);
                    }
                }

                if (request.TargetKind == MessageKind.CustomerMessage && contactId is null)
                {
                    throw new LocalRefusalException(System,
                        $"Pylon issue {issueId} has no contact to post customer message {message.Id} as; map the author's e-mail in Sync:Pylon:ContactIdsByEmail.");
                }

                var reply = new PylonReplyRequest
                {
                    BodyHtml = MirrorBody.Build(request, attribute, attachmentsAsLinks: false),
                    MessageId = parentId,
                    ContactId = contactId,
                    UserId = userId,
                    AttachmentUrls = NullIfEmpty(MirrorBody.SafeUrls(message.Attachments)),
                };
                var created = await client.ReplyAsync(issueId, reply, cancellationToken);
                _issues.GetOrAdd(issueId, _ => new IssueFacts()).Replied(created.Id, time.GetUtcNow());
                return new WrittenMessage(created.Id, AsWritten(created.Id, reply.BodyHtml, reply.AttachmentUrls, threadId: null));
            }

            default:
                throw new LocalRefusalException(System, $"Pylon cannot create a message of kind {request.TargetKind}.");
        }
    }

    public Task<ObservedMessage> EditAsync(WriteRequest request, string externalId, CancellationToken cancellationToken) =>
        throw new LocalRefusalException(System, "Pylon's API cannot edit a message (Capabilities.CanEdit is false).");

    public async Task RedactAsync(ConversationLink link, string externalId, CancellationToken cancellationToken) =>
        await client.RedactAsync(IssueOf(link), externalId, cancellationToken);

    public async Task DeleteAsync(ConversationLink link, string externalId, DeleteMode mode, CancellationToken cancellationToken)
    {
        if (mode == DeleteMode.Soft)
        {
            throw new LocalRefusalException(System, "Pylon deletes for good only (Capabilities.CanSoftDelete is false).");
        }

        try
        {
            await client.DeleteAsync(IssueOf(link), externalId, cancellationToken);
        }
        catch (NotFoundException)
        {
            // Already gone (a retry after a lost response): the wanted state holds.
        }
    }

    public async Task<string?> FindMirrorAsync(ConversationLink link, Guid canonicalId, string contentHash, CancellationToken cancellationToken)
    {
        string? byHash = null;
        await foreach (var m in client.ListMessagesAsync(IssueOf(link), cancellationToken))
        {
            var html = m.MessageHtml ?? "";
            if (SyncMarker.Find(html) == canonicalId)
            {
                return m.Id;
            }

            byHash ??= !string.IsNullOrEmpty(contentHash) && ContentHash.Of(SyncMarker.Strip(html), m.FileUrls ?? []) == contentHash ? m.Id : null;
        }

        return byHash;
    }

    /// <summary>
    /// The copy as a read will show it: reply and note answer only the new id (api-docs 001), so the body sent is read
    /// through the same mapping as a read.
    /// </summary>
    private ObservedMessage AsWritten(string id, string bodyHtml, IReadOnlyList<string>? fileUrls, string? threadId) =>
        PylonMapper.ToObserved(new PylonMessage
        {
            Id = id,
            MessageHtml = bodyHtml,
            FileUrls = fileUrls,
            ThreadId = threadId,
            IsPrivate = threadId is not null,
            Timestamp = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        });

    /// <summary>The id of the issue's sync thread, listed first and created only when missing.</summary>
    internal async Task<string> EnsureSyncThreadAsync(string issueId, CancellationToken cancellationToken)
    {
        if (_syncThreads.TryGetValue(issueId, out var cached))
        {
            return cached;
        }

        // One creator at a time: two concurrent first notes must not make two threads.
        await _threadGate.WaitAsync(cancellationToken);
        try
        {
            if (_syncThreads.TryGetValue(issueId, out cached))
            {
                return cached;
            }

            var threads = await client.ListThreadsAsync(issueId, cancellationToken);
            var existing = threads.FirstOrDefault(t => string.Equals(t.Name, _options.SyncThreadName, StringComparison.Ordinal));
            var id = existing?.Id;
            if (id is null)
            {
                id = (await client.CreateThreadAsync(issueId, _options.SyncThreadName, cancellationToken)).Id;
                LogThreadCreated(logger, issueId, id);
            }

            _syncThreads[issueId] = id;
            return id;
        }
        finally
        {
            _threadGate.Release();
        }
    }

    /// <summary>The message to answer (given, or the latest customer-visible one) and the issue's contacts by e-mail.</summary>
    private async Task<(string? LatestVisible, IReadOnlyList<PylonMiniContact> Contacts)> ParentAndContactsAsync(string issueId, CancellationToken cancellationToken)
    {
        if (_issues.TryGetValue(issueId, out var known) && known.Snapshot() is { LatestVisible: not null } fromReads)
        {
            return fromReads;
        }

        var contacts = new List<PylonMiniContact>();
        string? latestVisible = null;
        await foreach (var m in client.ListMessagesAsync(issueId, cancellationToken))
        {
            if (m.Author?.Contact is { Id: not null } c)
            {
                contacts.Add(c);
            }

            if (PylonMapper.KindOf(m) != MessageKind.InternalNote)
            {
                latestVisible = m.Id;
            }
        }

        return (latestVisible, contacts);
    }

    /// <summary>The contact from the author's own Pylon id or the configured map; no API call.</summary>
    private (string? ContactId, bool Attribute) MappedContactId(CanonicalMessage message)
    {
        if (message.Origin.System == SystemId.Pylon && message.Author.IsCustomer && message.Author.ExternalId is { } own)
        {
            return (own, false);
        }

        return message.Author.Email is { } email && _options.ContactIdsByEmail.TryGetValue(email, out var mapped) ? (mapped, false) : (null, true);
    }

    /// <summary>A contact of the issue with the author's e-mail, else the issue's requester with an attribution line.</summary>
    private static (string? ContactId, bool Attribute) IssueContactId(CanonicalMessage message, IReadOnlyList<PylonMiniContact> issueContacts)
    {
        if (message.Author.Email is { } email
            && issueContacts.FirstOrDefault(c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase)) is { Id: { } found })
        {
            return (found, false);
        }

        return (issueContacts.Count > 0 ? issueContacts[^1].Id : null, true);
    }

    private string? UserIdFor(CanonicalMessage message)
    {
        if (message.Origin.System == SystemId.Pylon && !message.Author.IsCustomer && message.Author.ExternalId is { } own)
        {
            return own;
        }

        return message.Author.Email is { } email && _options.UserIdsByEmail.TryGetValue(email, out var mapped) ? mapped : null;
    }

    public void Dispose() => _threadGate.Dispose();

    private string IssueOf(ConversationLink link) =>
        link.PylonIssueId is { Length: > 0 } id ? id : throw new LocalRefusalException(System, $"Link {link.Id} has no Pylon issue.");

    private static IReadOnlyList<string>? NullIfEmpty(IReadOnlyList<string> list) => list.Count == 0 ? null : list;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the sync thread {ThreadId} on Pylon issue {IssueId}")]
    private static partial void LogThreadCreated(ILogger logger, string issueId, string threadId);

    /// <summary>The latest customer-visible message and the contacts seen on one issue, from reads and our own replies.</summary>
    private sealed class IssueFacts
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, PylonMiniContact> _contacts = new(StringComparer.Ordinal);
        private string? _latestVisible;
        private DateTimeOffset _latestAt = DateTimeOffset.MinValue;

        public void Observe(PylonMessage message)
        {
            lock (_gate)
            {
                if (message.Author?.Contact is { Id: { } contactId } contact)
                {
                    _contacts[contactId] = contact;
                }

                if (message.Id is not null && PylonMapper.KindOf(message) != MessageKind.InternalNote
                    && DateTimeOffset.TryParse(message.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
                    && at >= _latestAt)
                {
                    (_latestVisible, _latestAt) = (message.Id, at);
                }
            }
        }

        public void Replied(string messageId, DateTimeOffset at)
        {
            lock (_gate)
            {
                (_latestVisible, _latestAt) = (messageId, at);
            }
        }

        public (string? LatestVisible, IReadOnlyList<PylonMiniContact> Contacts) Snapshot()
        {
            lock (_gate)
            {
                return (_latestVisible, [.. _contacts.Values]);
            }
        }
    }
}
