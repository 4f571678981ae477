using System.Globalization;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;

namespace MessageSync.Core.Tests.Engine;

/// <summary>A fault the fake raises once, on the next call of <see cref="Operation"/>.</summary>
/// <param name="AfterEffect">True: the call takes effect and then fails (a lost response); false: it fails before any effect.</param>
internal sealed record Fault(string Operation, Exception Error, bool AfterEffect = false);

/// <summary>
/// An in-memory system behind the port: conversations keyed by the link's conversation id, bodies stored as the adapter
/// would send them (with the <c>data-sync-id</c> marker), read back through the same mapping rules as a real adapter.
/// Faults are queued per operation, so a test can stop a write before or after it took effect.
/// </summary>
internal sealed class FakeMessageSystem(SystemId system, SystemCapabilities? capabilities = null) : IMessageSystem
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<FakeMessage>> _conversations = new(StringComparer.Ordinal);
    private int _nextId;

    public SystemId System => system;

    public SystemCapabilities Capabilities { get; set; } = capabilities ?? AllCapabilities;

    public static SystemCapabilities AllCapabilities { get; } = new()
    {
        CreatableKinds = Enum.GetValues<MessageKind>().ToHashSet(),
        CanEdit = true,
        CanRedact = true,
        CanDelete = true,
        CanSoftDelete = true,
        CanPostAsAuthor = true,
    };

    /// <summary>The capabilities of a system that can only create (like the helpdesk).</summary>
    public static SystemCapabilities CreateOnly { get; } = new()
    {
        CreatableKinds = Enum.GetValues<MessageKind>().ToHashSet(),
    };

    /// <summary>Messages per page on reads.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>Faults raised in order, each on the first call of its operation ("create", "edit", "redact", "delete", "find", "read").</summary>
    public List<Fault> Faults { get; } = [];

    /// <summary>Every remote write that took effect, in order ("create:ext_1", "redact:ext_1", ...).</summary>
    public List<string> Writes { get; } = [];

    /// <summary>The requests of every create that took effect.</summary>
    public List<WriteRequest> Created { get; } = [];

    public int Reads { get; private set; }

    /// <summary>Messages every list leaves out although they are there (a read gap; a direct read still finds them).</summary>
    public HashSet<string> MissingFromLists { get; } = new(StringComparer.Ordinal);

    /// <summary>Messages the next read from the start leaves out, once.</summary>
    public HashSet<string> MissingFromNextRead { get; } = new(StringComparer.Ordinal);

    /// <summary>False for a system with no documented single-message read (Pylon): <see cref="ProbeAsync"/> cannot tell.</summary>
    public bool CanProbe { get; set; } = true;

    public int Probes { get; private set; }

    /// <summary>Ids chosen by the caller, derived from the marker (like Cord): recovery reads the copy by id.</summary>
    public bool CallerChosenIds { get; set; }

    /// <summary>Where creation times start (a message's time adds its sequence in seconds); a fixed morning when null.</summary>
    public Func<DateTimeOffset>? Clock { get; set; }

    /// <summary>Stores bodies without our marker (a product that strips unknown attributes and empty elements).</summary>
    public bool StripsMarkers { get; set; }

    private HashSet<string> _missingThisRead = new(StringComparer.Ordinal);

    /// <summary>A person writes a message in this system.</summary>
    public string Add(string conversationId, string text, MessageKind kind = MessageKind.CustomerMessage, Author? author = null, string? html = null)
    {
        lock (_gate)
        {
            var id = NextId();
            Conversation(conversationId).Add(new FakeMessage(id, kind, author ?? new Author("Ada", "ada@example.com", "c_1", kind == MessageKind.CustomerMessage), html ?? $"<p>{text}</p>", Created: Now()));
            return id;
        }
    }

    /// <summary>A person edits a message (the body as the system stores it, marker included when present).</summary>
    public void PersonEdits(string conversationId, string externalId, string html) =>
        Update(conversationId, externalId, m => m with { Html = html, Updated = m.Created.AddMinutes(1) });

    public void PersonRedacts(string conversationId, string externalId) => Update(conversationId, externalId, m => m with { Html = "", Redacted = true });

    public void PersonDeletes(string conversationId, string externalId) => Update(conversationId, externalId, m => m with { Deleted = true });

    /// <summary>A message vanishes from the system for good (a hard delete: reads no longer list it, a direct read answers 404).</summary>
    public void Remove(string conversationId, string externalId)
    {
        lock (_gate)
        {
            Conversation(conversationId).RemoveAll(m => m.Id == externalId);
        }
    }

    public IReadOnlyList<FakeMessage> Messages(string conversationId)
    {
        lock (_gate)
        {
            return [.. Conversation(conversationId)];
        }
    }

    public FakeMessage Message(string conversationId, string externalId) => Messages(conversationId).Single(m => m.Id == externalId);

    public Task<MessagePage> ReadPageAsync(ConversationLink link, string? cursor, CancellationToken cancellationToken)
    {
        Raise("read", before: true);
        lock (_gate)
        {
            Reads++;
            if (cursor is null)
            {
                _missingThisRead = [.. MissingFromNextRead];
                MissingFromNextRead.Clear();
            }

            var all = Conversation(ConversationOf(link)).Where(m => !MissingFromLists.Contains(m.Id) && !_missingThisRead.Contains(m.Id)).ToList();
            var start = cursor is null ? 0 : int.Parse(cursor, CultureInfo.InvariantCulture);
            var page = all.Skip(start).Take(PageSize).Select(Observe).ToList();
            var end = start + page.Count;
            var hasMore = end < all.Count;
            // Like the real adapters: at the end the cursor stays where it was, so the next poll re-reads the last page.
            return Task.FromResult(new MessagePage(page, hasMore ? end.ToString(CultureInfo.InvariantCulture) : cursor, hasMore));
        }
    }

    public Task<WrittenMessage> CreateAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        var fault = Raise("create", before: true);
        FakeMessage written;
        lock (_gate)
        {
            var html = Stored(SyncMarker.Append(request.Message.BodyHtml, request.Marker));
            var id = NextId();
            written = new FakeMessage(CallerChosenIds ? IdFor(request.Marker) : id, request.TargetKind, new Author("MessageSync"), html, Created: Now());
            Conversation(ConversationOf(request.Link)).Add(written);
            Writes.Add("create:" + written.Id);
            Created.Add(request);
        }

        RaiseAfter(fault);
        return Task.FromResult(new WrittenMessage(written.Id, Observe(written)));
    }

    public ObservedMessage AsCreated(WriteRequest request, string externalId) =>
        Observe(new FakeMessage(externalId, request.TargetKind, new Author("MessageSync"), SyncMarker.Append(request.Message.BodyHtml, request.Marker), Created: Now()));

    public Task<ObservedMessage> EditAsync(WriteRequest request, string externalId, CancellationToken cancellationToken)
    {
        var fault = Raise("edit", before: true);
        var conversation = ConversationOf(request.Link);
        Update(conversation, externalId, m => m with { Html = Stored(SyncMarker.Append(request.Message.BodyHtml, request.Marker)), Updated = m.Created.AddMinutes(1) });
        lock (_gate)
        {
            Writes.Add("edit:" + externalId);
        }

        RaiseAfter(fault);
        return Task.FromResult(Observe(Message(conversation, externalId)));
    }

    public Task RedactAsync(ConversationLink link, string externalId, CancellationToken cancellationToken)
    {
        var fault = Raise("redact", before: true);
        Update(ConversationOf(link), externalId, m => m with { Html = "", Redacted = true });
        lock (_gate)
        {
            Writes.Add("redact:" + externalId);
        }

        RaiseAfter(fault);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(ConversationLink link, string externalId, DeleteMode mode, CancellationToken cancellationToken)
    {
        var fault = Raise("delete", before: true);
        if (mode == DeleteMode.Soft)
        {
            Update(ConversationOf(link), externalId, m => m with { Deleted = true });
        }
        else
        {
            Remove(ConversationOf(link), externalId);
        }

        lock (_gate)
        {
            Writes.Add($"delete:{externalId}:{mode}");
        }

        RaiseAfter(fault);
        return Task.CompletedTask;
    }

    public Task<MessagePresence> ProbeAsync(ConversationLink link, string externalId, CancellationToken cancellationToken)
    {
        if (!CanProbe)
        {
            return Task.FromResult(MessagePresence.Unknown);
        }

        lock (_gate)
        {
            Probes++;
            var found = Conversation(ConversationOf(link)).FirstOrDefault(m => m.Id == externalId);
            return Task.FromResult(found is null || found.Deleted ? MessagePresence.Gone : MessagePresence.Present);
        }
    }

    public Task<MirrorSearch> FindMirrorAsync(ConversationLink link, Guid marker, IReadOnlyCollection<OwnWrite> ownWrites, CancellationToken cancellationToken)
    {
        Raise("find", before: true);
        lock (_gate)
        {
            var conversation = Conversation(ConversationOf(link));
            if (CallerChosenIds)
            {
                return Task.FromResult(conversation.Any(m => m.Id == IdFor(marker)) ? MirrorSearch.Found(IdFor(marker)) : MirrorSearch.Absent);
            }

            return Task.FromResult(MirrorSearch.ByMarker(marker, conversation.Select(m => new ListedMessage(m.Id, m.Html, m.Created, CouldBeNote: m.Kind is MessageKind.InternalNote or MessageKind.SystemEvent, CouldBeReply: m.Kind is not (MessageKind.InternalNote or MessageKind.SystemEvent))), ownWrites, system.ToString()));
        }
    }

    private string IdFor(Guid marker) => $"{system.ToString().ToLowerInvariant()}_{marker:N}";

    private string Stored(string html) => StripsMarkers ? SyncMarker.Strip(html) : html;

    private ObservedMessage Observe(FakeMessage m) => new()
    {
        ExternalId = m.Id,
        Kind = m.Kind,
        Author = m.Author,
        BodyHtml = SyncMarker.Strip(m.Html),
        BodyText = PlainText.FromHtml(SyncMarker.Strip(m.Html)),
        CreatedAt = m.Created,
        UpdatedAt = m.Updated,
        IsDeleted = m.Deleted,
        DeletedAt = m.Deleted ? m.Created.AddMinutes(2) : null,
        IsRedacted = m.Redacted,
        SyncId = SyncMarker.Find(m.Html),
    };

    private Fault? Raise(string operation, bool before)
    {
        Fault? fault;
        lock (_gate)
        {
            fault = Faults.FirstOrDefault(f => f.Operation == operation);
            if (fault is not null)
            {
                Faults.Remove(fault);
            }
        }

        if (fault is { AfterEffect: false } && before)
        {
            throw fault.Error;
        }

        return fault;
    }

    private static void RaiseAfter(Fault? fault)
    {
        if (fault is { AfterEffect: true })
        {
            throw fault.Error;
        }
    }

    private void Update(string conversationId, string externalId, Func<FakeMessage, FakeMessage> change)
    {
        lock (_gate)
        {
            var list = Conversation(conversationId);
            var index = list.FindIndex(m => m.Id == externalId);
            if (index < 0)
            {
                throw new NotFoundException(system, $"{system} message {externalId} not found");
            }

            list[index] = change(list[index]);
        }
    }

    private List<FakeMessage> Conversation(string id)
    {
        if (!_conversations.TryGetValue(id, out var list))
        {
            _conversations[id] = list = [];
        }

        return list;
    }

    private string ConversationOf(ConversationLink link) =>
        link.ConversationId(system) ?? throw new InvalidOperationException($"link {link.Id} has no {system} conversation");

    private string NextId() => $"{system.ToString().ToLowerInvariant()}_{++_nextId}";

    private DateTimeOffset Now() => (Clock?.Invoke() ?? new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero)).AddSeconds(_nextId);
}

/// <summary>One message as the fake system stores it.</summary>
internal sealed record FakeMessage(
    string Id, MessageKind Kind, Author Author, string Html, DateTimeOffset Created, DateTimeOffset? Updated = null, bool Deleted = false, bool Redacted = false);
