using System.Globalization;
using MessageSync.Adapters.Pylon.Models;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Pylon;

/// <summary>Pylon DTO -> canonical terms (DESIGN.md's kind table). Pure: no I/O, no clock.</summary>
public static class PylonMapper
{
    /// <summary><c>is_private</c> or <c>thread_id</c> -> InternalNote; author is a contact -> CustomerMessage; else AgentReply.</summary>
    public static MessageKind KindOf(PylonMessage message)
    {
        if (message.IsPrivate == true || !string.IsNullOrEmpty(message.ThreadId))
        {
            return MessageKind.InternalNote;
        }

        return message.Author?.Contact is { Id: not null } or { Email: not null } ? MessageKind.CustomerMessage : MessageKind.AgentReply;
    }

    public static Author AuthorOf(PylonMessage message)
    {
        var a = message.Author;
        if (a?.Contact is { } contact)
        {
            return new Author(NameOr(a.Name, contact.Email), contact.Email, contact.Id, IsCustomer: true);
        }

        if (a?.User is { } user)
        {
            return new Author(NameOr(a.Name, user.Email), user.Email, user.Id);
        }

        return a?.Name is { Length: > 0 } name ? new Author(name) : Author.Unknown;
    }

    /// <summary>
    /// A redaction overwrites the body and files for good and the Message schema has no flag for it, so an empty body
    /// with no files is read as redacted (Pylon does not accept an empty <c>body_html</c>, so nothing else looks like it).
    /// </summary>
    public static bool IsRedacted(PylonMessage message) =>
        string.IsNullOrWhiteSpace(message.MessageHtml) && (message.FileUrls is null || message.FileUrls.Count == 0);

    public static ObservedMessage ToObserved(PylonMessage message)
    {
        var raw = message.MessageHtml ?? "";
        var syncId = SyncMarker.Find(raw);
        var html = HtmlSanitizer.Sanitize(SyncMarker.Strip(raw));
        return new ObservedMessage
        {
            ExternalId = message.Id,
            Kind = KindOf(message),
            Author = AuthorOf(message),
            BodyHtml = html,
            BodyText = PlainText.FromHtml(html),
            Attachments = (message.FileUrls ?? []).Select(u => new Attachment(MirrorBody.NameOf(u), u)).ToList(),
            CreatedAt = ParseTime(message.Timestamp, message.Id),
            IsRedacted = IsRedacted(message),
            SyncId = syncId,
        };
    }

    /// <summary>RFC 3339 timestamp; a message without a readable one is a malformed response.</summary>
    public static DateTimeOffset ParseTime(string? timestamp, string messageId) =>
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new TransientApiException(SystemId.Pylon, $"Pylon message {messageId} has no readable timestamp ('{timestamp}').");

    private static string NameOr(string? name, string? email) =>
        !string.IsNullOrWhiteSpace(name) ? name : !string.IsNullOrWhiteSpace(email) ? email : "Unknown";
}
