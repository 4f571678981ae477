using System.Runtime.CompilerServices;
using MessageSync.Core.Model;
using MessageSync.Core.State;

namespace MessageSync.Core.Ports;

/// <summary>
/// A message as read from one system, already mapped to canonical terms by the system's adapter.
/// <see cref="SyncId"/> is the canonical id when the message is a mirror MessageSync wrote
/// (the <c>data-sync-id</c> marker in Pylon and helpdesk bodies, Cord <c>metadata</c>).
/// </summary>
public sealed record ObservedMessage : MessageContent
{
    public required string ExternalId { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public bool IsDeleted { get; init; }
    public bool IsRedacted { get; init; }
    public Guid? SyncId { get; init; }
}

/// <summary>One page of a conversation. <see cref="NextCursor"/> resumes the next poll.</summary>
public sealed record MessagePage(IReadOnlyList<ObservedMessage> Messages, string? NextCursor, bool HasMore);

/// <summary>How a message is to be written into a target (decided by the router).</summary>
public sealed record WriteRequest
{
    public required ConversationLink Link { get; init; }
    public required CanonicalMessage Message { get; init; }

    /// <summary>The kind the target receives; may differ from the message's kind (an AgentReply mirrored into Pylon as a labelled note).</summary>
    public required MessageKind TargetKind { get; init; }

    /// <summary>A label line prepended to the body, e.g. "Sent to the customer via helpdesk".</summary>
    public string? Label { get; init; }

    /// <summary>
    /// What the copy carries so recovery can find it and a poll knows it as ours (the <c>data-sync-id</c> marker, Cord's
    /// message id and metadata): the canonical id for a mirror (default), the change id for an edit note, so that each note
    /// is one copy of its own (issue 9.1).
    /// </summary>
    public Guid Marker
    {
        get => _marker ?? Message.Id;
        init => _marker = value;
    }

    private readonly Guid? _marker;
}

/// <summary>A create that took effect: the target's id for the copy, and the copy as this system will read it back.</summary>
/// <param name="AsWritten">
/// What a poll of the target will see of the copy (the target's answer where its API returns the stored message, else the
/// request as the adapter's own mapping reads it): the baseline that tells a person's edit of a fresh copy from our write.
/// </param>
public sealed record WrittenMessage(string ExternalId, ObservedMessage AsWritten);

/// <summary>What a direct read of one message says (confirming a deletion a full scan suggests).</summary>
public enum MessagePresence
{
    /// <summary>The message is there: a list that left it out had a gap.</summary>
    Present,

    /// <summary>The message is gone (the read answered 404) or deleted.</summary>
    Gone,

    /// <summary>The system has no documented single-message read: the caller has to confirm another way.</summary>
    Unknown,
}

public enum DeleteMode
{
    Hard,
    Soft,
}

/// <summary>
/// The port each system's adapter implements (Sync.Adapters). Every write re-checks the visibility invariant:
/// an adapter refuses to make an InternalNote customer-visible even if asked.
/// </summary>
public interface IMessageSystem
{
    SystemId System { get; }
    SystemCapabilities Capabilities { get; }

    /// <summary>Reads one page of a conversation from <paramref name="cursor"/> (null: from the start).</summary>
    Task<MessagePage> ReadPageAsync(ConversationLink link, string? cursor, CancellationToken cancellationToken);

    /// <summary>
    /// Reads one message directly, where the API has such a read, to confirm that a message a full scan no longer lists is
    /// really gone before its deletion goes out (a list with a gap must not delete copies everywhere).
    /// </summary>
    Task<MessagePresence> ProbeAsync(ConversationLink link, string externalId, CancellationToken cancellationToken);

    /// <summary>Creates the message and returns the target's id for it, with the copy as it will read back.</summary>
    Task<WrittenMessage> CreateAsync(WriteRequest request, CancellationToken cancellationToken);

    /// <summary>Replaces the content of a mirror (only where <see cref="SystemCapabilities.CanEdit"/>); returns it as it will read back.</summary>
    Task<ObservedMessage> EditAsync(WriteRequest request, string externalId, CancellationToken cancellationToken);

    /// <summary>Removes the content for good (only where <see cref="SystemCapabilities.CanRedact"/>).</summary>
    Task RedactAsync(ConversationLink link, string externalId, CancellationToken cancellationToken);

    Task DeleteAsync(ConversationLink link, string externalId, DeleteMode mode, CancellationToken cancellationToken);

    /// <summary>
    /// Recovery after a crash (or a lost answer) between the remote write and its record: looks for the copy written for
    /// <paramref name="marker"/> (a canonical id for a mirror, a change id for an edit note) by an exact key only: the id
    /// derived from the marker where the target takes caller-chosen ids, else our marker on a message of the link's
    /// conversation that is no other copy of ours. Where the target may have dropped the marker the answer is
    /// <see cref="MirrorSearch.Unknown"/>, never a match by content.
    /// </summary>
    /// <param name="ownWrites">Every write of ours recorded in the link's conversation in this system: other copies are not it,
    /// and they show whether the system keeps markers.</param>
    Task<MirrorSearch> FindMirrorAsync(ConversationLink link, Guid marker, IReadOnlyCollection<OwnWrite> ownWrites, CancellationToken cancellationToken);

    /// <summary>
    /// The copy a create of <paramref name="request"/> reads back as, known without the target's answer: the baseline of a
    /// mirror found by recovery (<see cref="FindMirrorAsync"/>), whose answer was lost. Null where only the answer tells how
    /// the target stores it; the first read is then adopted as the baseline.
    /// </summary>
    /// <remarks>
    /// What is found on recovery may already carry a person's edit made while the worker was down; taking it as the
    /// baseline would lose that edit (issue 9.11 on the recovery path).
    /// </remarks>
    ObservedMessage? AsCreated(WriteRequest request, string externalId);
}

public static class MessageSystemExtensions
{
    /// <summary>
    /// Reads a conversation page by page from <paramref name="from"/> (null: the start), yielding each page with the cursor
    /// that fetched it; stops on the last page, or when a system hands back the cursor it was given.
    /// </summary>
    public static async IAsyncEnumerable<(string? Cursor, MessagePage Page)> ReadPagesAsync(
        this IMessageSystem system, ConversationLink link, string? from = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cursor = from;
        while (true)
        {
            var page = await system.ReadPageAsync(link, cursor, cancellationToken);
            yield return (cursor, page);
            if (!page.HasNextPage(cursor))
            {
                yield break;
            }

            cursor = page.NextCursor;
        }
    }

    /// <summary>True when another page follows the one <paramref name="cursor"/> fetched.</summary>
    public static bool HasNextPage(this MessagePage page, string? cursor) => page.HasMore && page.NextCursor is not null && page.NextCursor != cursor;
}
