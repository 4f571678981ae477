using System.Net;
using System.Text;
using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters;

/// <summary>
/// Builds the HTML a mirror is written with: an optional label line ("Sent to the customer via helpdesk"), an
/// attribution line when the target cannot post as the author ("Ana Ruiz via Cord"), the body sanitised on its own (the
/// adapter trusts no caller with HTML; a body the caller already sanitised is a remembered result, not a second parse),
/// attachments as links where the target takes no files, and the invisible <c>data-sync-id</c> marker that makes a
/// crash-time retry find the mirror instead of writing it twice. The whole is sanitised once, as the marker goes in.
/// </summary>
public static class MirrorBody
{
    public static string Build(WriteRequest request, bool attribute, bool attachmentsAsLinks, bool withMarker = true)
    {
        var html = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(request.Label))
        {
            html.Append("<p><em>").Append(WebUtility.HtmlEncode(request.Label)).Append("</em></p>");
        }

        if (attribute)
        {
            html.Append("<p><em>").Append(WebUtility.HtmlEncode(Attribution(request.Message))).Append("</em></p>");
        }

        html.Append(HtmlSanitizer.Sanitize(request.Message.BodyHtml));
        if (attachmentsAsLinks && request.Message.Attachments.Count > 0)
        {
            html.Append(AttachmentLinks(request.Message.Attachments));
        }

        // Append sanitises what it is given (one parse for the whole body, not a second one of a sanitised copy).
        return withMarker ? SyncMarker.Append(html.ToString(), request.Marker) : HtmlSanitizer.Sanitize(html.ToString());
    }

    /// <summary>"Ana Ruiz via Cord": who wrote it, and where.</summary>
    public static string Attribution(CanonicalMessage message)
    {
        var name = string.IsNullOrWhiteSpace(message.Author.DisplayName) ? "Unknown" : message.Author.DisplayName.Trim();
        return $"{name} via {SystemName(message.Origin.System)}";
    }

    /// <summary>Attachment links as a list; only http(s) URLs are linked, anything else is shown as text.</summary>
    public static string AttachmentLinks(IReadOnlyList<Attachment> attachments)
    {
        var html = new StringBuilder("<ul>");
        foreach (var a in attachments)
        {
            var name = WebUtility.HtmlEncode(string.IsNullOrWhiteSpace(a.Name) ? a.Url : a.Name);
            if (Uri.TryCreate(a.Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                html.Append("<li><a href=\"").Append(WebUtility.HtmlEncode(uri.AbsoluteUri)).Append("\">").Append(name).Append("</a></li>");
            }
            else
            {
                html.Append("<li>").Append(name).Append("</li>");
            }
        }

        return html.Append("</ul>").ToString();
    }

    /// <summary>Only http(s) URLs travel as attachment URLs: a javascript: or data: URL is dropped.</summary>
    public static IReadOnlyList<string> SafeUrls(IReadOnlyList<Attachment> attachments) =>
        attachments
            .Select(a => Uri.TryCreate(a.Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri.AbsoluteUri : null)
            .OfType<string>()
            .ToList();

    public static string SystemName(SystemId system) => system switch
    {
        SystemId.Pylon => "Pylon",
        SystemId.Helpdesk => "helpdesk",
        SystemId.Cord => "Cord",
        _ => system.ToString(),
    };

    /// <summary>The file name of an attachment URL (last path segment), for systems that give only URLs.</summary>
    public static string NameOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Segments.Length > 0 && uri.Segments[^1].Trim('/').Length > 0
            ? Uri.UnescapeDataString(uri.Segments[^1].Trim('/'))
            : url;
}
