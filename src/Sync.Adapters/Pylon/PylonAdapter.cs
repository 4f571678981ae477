using System.Globalization;
using System.Collections.Concurrent;
using MessageSync.Adapters.People;
using MessageSync.Adapters.Pylon.Models;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Pylon;

/// <summary>
/// Pylon as a target and a source. Notes go into one sync thread per issue (created once: the thread's existence in
/// Pylon is the durable memory, the in-process cache saves the lookup), as the author's Pylon user where known.
/// Customer messages are replies as the same person's contact, or labelled notes; agent replies are replies only where
/// the link opts in (delivery rule). Pylon cannot edit.
/// </summary>
public sealed partial class PylonAdapter(
    PylonClient client, IOptions<PylonOptions> options, IPeopleSource peopleSource, TimeProvider time, ILogger<PylonAdapter> logger) : IMessageSystem, IDisposable
{
    private readonly PylonOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, string> _syncThreads = new(StringComparer.Ordinal);

    // What the pollers' reads taught us about each issue (the message a reply answers, the issue's contacts), so a reply
    // does not list the whole issue again: listing shares the 20/min budget with polling.
    private readonly ConcurrentDictionary<string, PylonIssueFacts> _issues = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _threadGate = new(1, 1);

    /// <summary>How many anchors one reply tries when each answers 404 (deleted since the issue was read).</summary>
    private const int MaxStaleAnchors = 3;

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
        var facts = _issues.GetOrAdd(issueId, _ => new PylonIssueFacts());
        foreach (var m in page.Items)
        {
            facts.Observe(m);
        }

        return new MessagePage(page.Items.Select(PylonMapper.ToObserved).ToList(), page.NextCursor, page.HasMore);
    }

    /// <summary>Pylon documents no read of a single message (api-docs 000/001: list, threads, reply, note, redact, delete).</summary>
    public Task<MessagePresence> ProbeAsync(ConversationLink link, string externalId, CancellationToken cancellationToken) =>
        Task.FromResult(MessagePresence.Unknown);

    public async Task<WrittenMessage> CreateAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        var issueId = IssueOf(request.Link);
        var people = peopleSource.Current;
        var person = people.AuthorOf(request.Message);
        request = people.Named(request);
        return request.TargetKind switch
        {
            MessageKind.InternalNote or MessageKind.SystemEvent => await NoteAsync(issueId, request, person, cancellationToken),
            MessageKind.CustomerMessage or MessageKind.AgentReply => await ReplyAsync(issueId, request, person, cancellationToken),
            _ => throw new LocalRefusalException(System, $"Pylon cannot create a message of kind {request.TargetKind}."),
        };
    }

    /// <summary>An internal note in the issue's sync thread, as the author's Pylon user where known.</summary>
    private async Task<WrittenMessage> NoteAsync(string issueId, WriteRequest request, Person? person, CancellationToken cancellationToken)
    {
        VisibilityGuard.EnsureAllowed(System, request, sendsEmail: false);
        var message = request.Message;
        var userId = message.Author.IsCustomer ? null : UserIdFor(message, person);
        var threadId = await WriteNotSentException.BeforeSendingAsync(System, () => EnsureSyncThreadAsync(issueId, cancellationToken));
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

    /// <summary>
    /// A customer-facing reply (api-docs 000: it needs <c>message_id</c>, the message replied to). A customer message is
    /// posted as a contact only when the contact is the same person: the author's own Pylon contact, the person's
    /// <c>PylonContactId</c> in <c>Sync:People</c>, or a contact of the issue with the person's e-mail. Never as another
    /// customer: without such a contact it becomes a labelled internal note. An agent reply reaches here only where the
    /// link delivers replies via Pylon (VisibilityGuard), posted as the person's Pylon user where known.
    /// </summary>
    private async Task<WrittenMessage> ReplyAsync(string issueId, WriteRequest request, Person? person, CancellationToken cancellationToken)
    {
        // A Pylon reply reaches the customer: never an internal note, and an agent's reply only where the link says the
        // customer is reached through Pylon (DESIGN.md "The delivery rule").
        VisibilityGuard.EnsureAllowed(System, request, sendsEmail: false);
        var message = request.Message;
        var customer = request.TargetKind == MessageKind.CustomerMessage;
        var facts = _issues.GetOrAdd(issueId, _ => new PylonIssueFacts());
        var listed = false;

        // The issue is listed only when the pollers' reads have not taught us what is needed (list budget: 20/min), and
        // for contacts once per issue: after a restart the cache may hold our own replies and no contact at all.
        string? contactId = null, userId = null;
        if (customer)
        {
            contactId = OwnOrMappedContact(message, person) ?? facts.ContactWithEmail(message.Author.Email, person?.Email);
            if (contactId is null && !facts.ContactsListed)
            {
                await WriteNotSentException.BeforeSendingAsync(System, () => ListIssueAsync(issueId, facts, cancellationToken));
                listed = true;
                contactId = facts.ContactWithEmail(message.Author.Email, person?.Email);
            }

            if (contactId is null)
            {
                LogNoContact(logger, message.Id, issueId);
                return await NoteInsteadAsync(issueId, request, person,
                    "Customer message, not sent as a Pylon reply: no Pylon contact is known for its author (Sync:People)", cancellationToken);
            }
        }
        else
        {
            userId = UserIdFor(message, person);
        }

        var anchor = facts.LatestVisible;
        if (anchor is null && !listed)
        {
            await WriteNotSentException.BeforeSendingAsync(System, () => ListIssueAsync(issueId, facts, cancellationToken));
            anchor = facts.LatestVisible;
        }

        if (anchor is null)
        {
            return customer
                ? await NoteInsteadAsync(issueId, request, person, "Customer message, not sent as a Pylon reply: the issue has no message to reply to", cancellationToken)
                : throw new LocalRefusalException(System, $"Pylon issue {issueId} has no customer-visible message for agent reply {message.Id} to answer.");
        }

        var reply = new PylonReplyRequest
        {
            BodyHtml = MirrorBody.Build(request, attribute: !customer && userId is null, attachmentsAsLinks: false),
            MessageId = anchor,
            ContactId = contactId,
            UserId = userId,
            AttachmentUrls = NullIfEmpty(MirrorBody.SafeUrls(message.Attachments)),
        };
        // A 404 means nothing was written: the remembered anchor was deleted since it was read (people delete messages while
        // we write). Read the issue again and answer the latest visible message instead, a few times; an issue whose anchors
        // keep vanishing is retried later by the transport, with nothing in doubt (the write was never accepted).
        var created = default(PylonCreatedMessage);
        for (var attempt = 1; created is null; attempt++)
        {
            try
            {
                created = await client.ReplyAsync(issueId, reply, cancellationToken);
            }
            catch (NotFoundException ex)
            {
                facts.Forget(reply.MessageId!);
                if (attempt == MaxStaleAnchors)
                {
                    throw new WriteNotSentException(System, $"not sent: every message of issue {issueId} this reply answered was gone by the time it was sent ({ex.Message})", ex);
                }

                await WriteNotSentException.BeforeSendingAsync(System, () => ListIssueAsync(issueId, facts, cancellationToken));
                if (facts.LatestVisible is not { } fresh)
                {
                    throw new WriteNotSentException(System, $"not sent: issue {issueId} has no visible message left for the reply to answer ({ex.Message})", ex);
                }

                LogStaleAnchor(logger, reply.MessageId!, issueId, fresh);
                reply = reply with { MessageId = fresh };
            }
        }

        facts.Replied(created.Id, time.GetUtcNow());
        return new WrittenMessage(created.Id, AsWritten(created.Id, reply.BodyHtml, reply.AttachmentUrls, threadId: null));
    }

    /// <summary>A customer message that cannot be a reply: an internal note saying why, with the author attributed.</summary>
    private Task<WrittenMessage> NoteInsteadAsync(string issueId, WriteRequest request, Person? person, string why, CancellationToken cancellationToken) =>
        NoteAsync(issueId, request with
        {
            TargetKind = MessageKind.InternalNote,
            Label = string.IsNullOrWhiteSpace(request.Label) ? why : request.Label + " · " + why,
        }, person, cancellationToken);

    /// <summary>Every message of the issue into <paramref name="facts"/>: the latest visible message and the contacts.</summary>
    private async Task ListIssueAsync(string issueId, PylonIssueFacts facts, CancellationToken cancellationToken)
    {
        // Writers to one issue run concurrently (the apply consumers): one listing serves all who asked while it ran, so a
        // burst of replies after a restart costs one walk of the issue, not one each (list budget: 20/min).
        var generation = facts.Listings;
        await facts.ListingGate.WaitAsync(cancellationToken);
        try
        {
            if (facts.Listings != generation)
            {
                return;
            }

            var seen = new List<PylonMessage>();
            await foreach (var m in client.ListMessagesAsync(issueId, cancellationToken))
            {
                seen.Add(m);
            }

            facts.Listed(seen);
        }
        finally
        {
            facts.ListingGate.Release();
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

    /// <summary>
    /// Null: which body a create wrote (a reply as the contact, or a labelled note instead) depends on what the issue held
    /// then; Pylon has no edit (api-docs 000), so a person cannot change the copy's words and adopting the first read loses nothing.
    /// </summary>
    public ObservedMessage? AsCreated(WriteRequest request, string externalId) => null;

    /// <summary>
    /// Our marker in the issue's messages, verified against our own writes (issue 9.6); Pylon takes no caller-chosen id and
    /// documents nothing about keeping the HTML it is given (api-docs 001), so where the marker may be gone the answer is
    /// "unknown", never a match by content.
    /// </summary>
    public async Task<MirrorSearch> FindMirrorAsync(ConversationLink link, Guid marker, IReadOnlyCollection<OwnWrite> ownWrites, CancellationToken cancellationToken)
    {
        var issueId = IssueOf(link);
        var messages = new List<PylonMessage>();
        await foreach (var m in client.ListMessagesAsync(issueId, cancellationToken))
        {
            messages.Add(m);
        }

        // Our notes go into the issue's sync thread, our replies are customer-visible (api-docs 000: is_private, thread_id):
        // a redacted message of another shape cannot be a write of ours. The thread is looked up (never created) only when
        // a redacted note needs it: no sync thread means no note of ours.
        var syncThread = _syncThreads.GetValueOrDefault(issueId);
        if (syncThread is null && messages.Any(m => m.IsPrivate == true && string.IsNullOrWhiteSpace(m.MessageHtml)))
        {
            syncThread = await FindSyncThreadAsync(issueId, cancellationToken);
        }

        var listed = messages.Select(m => new ListedMessage(
            m.Id,
            m.MessageHtml,
            DateTimeOffset.TryParse(m.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            CouldBeNote: m.IsPrivate == true && syncThread is not null && m.ThreadId == syncThread,
            CouldBeReply: m.IsPrivate != true)).ToList();
        return MirrorSearch.ByMarker(marker, listed, ownWrites, "Pylon");
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

    /// <summary>The id of the issue's sync thread if it exists (listed, never created), remembered once found.</summary>
    private async Task<string?> FindSyncThreadAsync(string issueId, CancellationToken cancellationToken)
    {
        var threads = await client.ListThreadsAsync(issueId, cancellationToken);
        var id = threads.FirstOrDefault(t => string.Equals(t.Name, _options.SyncThreadName, StringComparison.Ordinal))?.Id;
        if (id is not null)
        {
            _syncThreads.TryAdd(issueId, id);
        }

        return id;
    }

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

            if (await FindSyncThreadAsync(issueId, cancellationToken) is { } existing)
            {
                return existing;
            }

            var id = (await client.CreateThreadAsync(issueId, _options.SyncThreadName, cancellationToken)).Id;
            LogThreadCreated(logger, issueId, id);
            _syncThreads[issueId] = id;
            return id;
        }
        finally
        {
            _threadGate.Release();
        }
    }

    /// <summary>The author's own Pylon contact (a message read from Pylon) or the person's configured one.</summary>
    private static string? OwnOrMappedContact(CanonicalMessage message, Person? person) =>
        message.Origin.System == SystemId.Pylon && message.Author.IsCustomer && message.Author.ExternalId is { Length: > 0 } own
            ? own
            : person?.PylonContactId;

    /// <summary>The author's own Pylon user (a message read from Pylon) or the person's configured one.</summary>
    private static string? UserIdFor(CanonicalMessage message, Person? person) =>
        message.Origin.System == SystemId.Pylon && !message.Author.IsCustomer && message.Author.ExternalId is { Length: > 0 } own
            ? own
            : person?.PylonUserId;

    public void Dispose() => _threadGate.Dispose();

    private string IssueOf(ConversationLink link) =>
        link.PylonIssueId is { Length: > 0 } id ? id : throw new LocalRefusalException(System, $"Link {link.Id} has no Pylon issue.");

    private static IReadOnlyList<string>? NullIfEmpty(IReadOnlyList<string> list) => list.Count == 0 ? null : list;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the sync thread {ThreadId} on Pylon issue {IssueId}")]
    private static partial void LogThreadCreated(ILogger logger, string issueId, string threadId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer message {CanonicalId} is written to Pylon issue {IssueId} as a labelled internal note: no Pylon contact is known for its author (map the person in Sync:People)")]
    private static partial void LogNoContact(ILogger logger, Guid canonicalId, string issueId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pylon message {Anchor} on issue {IssueId} is gone; the reply answers {Fresh}, the latest visible message, instead")]
    private static partial void LogStaleAnchor(ILogger logger, string anchor, string issueId, string fresh);
}
