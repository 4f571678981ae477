using MessageSync.Core.Content;
using MessageSync.Core.Model;

namespace MessageSync.Core.Detection;

/// <summary>
/// The content hash the detector compares with the snapshot: <see cref="ContentHash.Of"/> of the sanitised HTML (sync marker,
/// whitespace and equivalent tags normalised) plus the attachment URLs without their query string, because Cord attachment
/// URLs are signed and change on every read.
/// </summary>
internal static class MessageHash
{
    public static string Of(string bodyHtml, IReadOnlyList<Attachment> attachments) =>
        ContentHash.Of(bodyHtml, attachments.Select(a => StripQuery(a.Url)));

    /// <summary>True when a message carries nothing a person could read: what a redaction leaves behind.</summary>
    public static bool IsEmpty(string bodyText, IReadOnlyList<Attachment> attachments) =>
        string.IsNullOrWhiteSpace(bodyText) && attachments.Count == 0;

    private static string StripQuery(string url)
    {
        var cut = url.IndexOfAny(['?', '#']);
        return cut < 0 ? url : url[..cut];
    }
}
