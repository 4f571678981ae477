using MessageSync.Adapters.Helpdesk.Models;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Helpdesk;

/// <summary>Helpdesk DTO &lt;-&gt; canonical terms (DESIGN.md's kind table). Pure.</summary>
public static class HelpdeskMapper
{
    /// <summary><c>request</c> -> CustomerMessage, <c>response</c> -> AgentReply, <c>note</c> -> InternalNote.</summary>
    public static MessageKind KindOf(string type) => type switch
    {
        HelpdeskMessageTypes.Request => MessageKind.CustomerMessage,
        HelpdeskMessageTypes.Response => MessageKind.AgentReply,
        HelpdeskMessageTypes.Note => MessageKind.InternalNote,
        // An unknown type is read as internal: the safe side of the visibility invariant.
        _ => MessageKind.InternalNote,
    };

    /// <summary>The type a target kind is written as. A system event has no helpdesk type: it becomes a note.</summary>
    public static string TypeFor(MessageKind kind) => kind switch
    {
        MessageKind.CustomerMessage => HelpdeskMessageTypes.Request,
        MessageKind.AgentReply => HelpdeskMessageTypes.Response,
        _ => HelpdeskMessageTypes.Note,
    };

    public static ObservedMessage ToObserved(HelpdeskMessage message)
    {
        var raw = message.Content ?? "";
        var html = HtmlSanitizer.Sanitize(SyncMarker.Strip(raw));
        var kind = KindOf(message.Type);
        var authorId = string.IsNullOrWhiteSpace(message.AuthorId) ? null : message.AuthorId;
        return new ObservedMessage
        {
            ExternalId = message.Id,
            Kind = kind,
            // The message object names its author by id only.
            Author = authorId is null ? Author.Unknown with { IsCustomer = kind == MessageKind.CustomerMessage }
                : new Author(authorId, ExternalId: authorId, IsCustomer: kind == MessageKind.CustomerMessage),
            BodyHtml = html,
            BodyText = PlainText.FromHtml(html),
            // Attachments are upload tokens, not URLs: they travel by name only, with no link to follow.
            Attachments = (message.Attachments ?? []).Select(a => new Attachment(a.Name ?? a.Token ?? "attachment", "", null, a.Size)).ToList(),
            CreatedAt = message.CreatedAt
                ?? throw new TransientApiException(SystemId.Helpdesk, $"Helpdesk message {message.Id} has no createdAt."),
            UpdatedAt = message.UpdatedAt,
            SyncId = SyncMarker.Find(raw),
        };
    }
}
