using System.Text.Json;
using System.Text.Json.Nodes;
using MessageSync.Adapters.Cord.Models;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Cord;

/// <summary>Cord DTO &lt;-&gt; canonical terms (DESIGN.md's kind table). Pure.</summary>
public static class CordMapper
{
    /// <summary>Metadata keys MessageSync writes on every mirror.</summary>
    public const string CanonicalIdKey = "messagesync_id", KindKey = "messagesync_kind", OriginKey = "messagesync_origin", RedactedKey = "messagesync_redacted";

    public const string RedactedText = "[redacted]";

    /// <summary>The deterministic message id: a retried create names the same message (prefix + canonical id, "N" format).</summary>
    public static string MessageIdFor(Guid canonicalId, string prefix) => prefix + canonicalId.ToString("N");

    /// <summary>
    /// <c>action_message</c> -> SystemEvent; <c>user_message</c> -> InternalNote, except in a thread the link marks
    /// customer-visible: AgentReply when the author is a configured agent, else CustomerMessage.
    /// </summary>
    public static MessageKind KindOf(CordMessage message, ConversationLink link)
    {
        if (message.Type == "action_message")
        {
            return MessageKind.SystemEvent;
        }

        if (!link.CordThreadCustomerVisible)
        {
            return MessageKind.InternalNote;
        }

        return message.AuthorId is { } author && link.CordAgentUserIds.Contains(author, StringComparer.Ordinal)
            ? MessageKind.AgentReply
            : MessageKind.CustomerMessage;
    }

    public static Guid? SyncIdOf(CordMessage message) =>
        message.Metadata is { } metadata && metadata.TryGetValue(CanonicalIdKey, out var value) && value.ValueKind == JsonValueKind.String
            && Guid.TryParse(value.GetString(), out var id)
            ? id
            : null;

    /// <summary>Redacted: the content is the single "[redacted]" paragraph MessageSync writes (or the metadata says so).</summary>
    public static bool IsRedacted(CordMessage message)
    {
        if (message.Metadata is { } metadata && metadata.TryGetValue(RedactedKey, out var flag)
            && (flag.ValueKind == JsonValueKind.True || (flag.ValueKind == JsonValueKind.String && flag.GetString() == "true")))
        {
            return true;
        }

        return message.Content is { Count: 1 } content && JsonNode.DeepEquals(content, RedactedContent());
    }

    public static JsonArray RedactedContent() =>
        [new JsonObject { ["type"] = "p", ["children"] = new JsonArray(new JsonObject { ["text"] = RedactedText }) }];

    public static ObservedMessage ToObserved(CordMessage message, ConversationLink link)
    {
        var kind = KindOf(message, link);
        var html = HtmlSanitizer.Sanitize(message.Content is { } content ? CordToHtml.Convert(content) : "");
        var text = message.Content is { } c ? CordPlainText.Of(c) : message.Plaintext ?? "";
        var authorId = message.AuthorId;
        return new ObservedMessage
        {
            ExternalId = message.Id,
            Kind = kind,
            Author = authorId is { Length: > 0 }
                ? new Author(authorId, ExternalId: authorId, IsCustomer: kind == MessageKind.CustomerMessage)
                : Author.Unknown,
            BodyHtml = html,
            BodyText = text,
            // Link previews are derived from links in the content; only files are attachments of their own.
            Attachments = (message.Attachments ?? [])
                .Where(a => a.Type == "file" && !string.IsNullOrEmpty(a.Url))
                .Select(a => new Attachment(a.Name ?? MirrorBody.NameOf(a.Url!), a.Url!, a.MimeType, a.Size))
                .ToList(),
            CreatedAt = message.CreatedTimestamp
                ?? throw new TransientApiException(SystemId.Cord, $"Cord message {message.Id} has no createdTimestamp."),
            UpdatedAt = message.UpdatedTimestamp,
            IsDeleted = message.DeletedTimestamp is not null,
            DeletedAt = message.DeletedTimestamp,
            IsRedacted = IsRedacted(message),
            SyncId = SyncIdOf(message),
        };
    }

    /// <summary>The metadata of a mirror: its marker (the canonical id, or an edit note's change id), kind and origin.</summary>
    public static Dictionary<string, string> MetadataFor(Guid marker, CanonicalMessage message, MessageKind targetKind) => new(StringComparer.Ordinal)
    {
        [CanonicalIdKey] = marker.ToString("D"),
        [KindKey] = targetKind.ToString(),
        [OriginKey] = message.Origin.System.ToString(),
    };
}
