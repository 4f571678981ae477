using System.Security.Cryptography;
using System.Text;
using MessageSync.Core.Model;

namespace MessageSync.Core.Detection;

/// <summary>
/// The content hash the detector compares with the snapshot. Kept internal and deliberately coarse: the plain text with
/// whitespace collapsed, plus attachment URLs without their query string. HTML is left out because each system renders
/// the same message differently, and query strings because Cord attachment URLs are signed and change every read.
/// (The content-conversion hash in <c>Content/</c> serves the adapters' mirror lookup; this one only has to be stable
/// for repeated reads of one system.)
/// </summary>
internal static class MessageHash
{
    public static string Of(string bodyText, IReadOnlyList<Attachment> attachments)
    {
        var builder = new StringBuilder(bodyText.Length + 64);
        AppendCollapsed(builder, bodyText);
        foreach (var attachment in attachments)
        {
            builder.Append('\n').Append(StripQuery(attachment.Url));
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    /// <summary>True when a message carries nothing a person could read: what a redaction leaves behind.</summary>
    public static bool IsEmpty(string bodyText, IReadOnlyList<Attachment> attachments) =>
        string.IsNullOrWhiteSpace(bodyText) && attachments.Count == 0;

    private static void AppendCollapsed(StringBuilder builder, string text)
    {
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }
    }

    private static string StripQuery(string url)
    {
        var cut = url.IndexOfAny(['?', '#']);
        return cut < 0 ? url : url[..cut];
    }
}
