using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MessageSync.Core.Content;

/// <summary>
/// A stable fingerprint of a message body for change detection (DESIGN.md, "Detection by diff"). Recovery after a lost
/// answer never matches by content (issue 9.6): it looks for our marker or our id only.
/// </summary>
public static partial class ContentHash
{
    /// <summary>
    /// SHA-256 (lowercase hex) of the canonical form of <paramref name="sanitizedHtml"/>: sanitised again
    /// (so any input gives the same answer as its sanitised form), sync marker removed, strong/em read as
    /// b/i, whitespace runs (nbsp included) collapsed and dropped next to block boundaries; followed by the
    /// attachment URLs, sorted. Callers pass URLs that do not change between reads (Cord's are signed and
    /// expire: pass them without the signature).
    /// </summary>
    public static string Of(string? sanitizedHtml, IEnumerable<string>? attachmentUrls = null) =>
        Fingerprint(string.IsNullOrEmpty(sanitizedHtml) ? CanonicalText(sanitizedHtml) : Canonical.Get(sanitizedHtml, CanonicalText), attachmentUrls);

    // The canonical text is a pure function of the body, read again by every poll that reads the message (ContentMemo).
    private static readonly ContentMemo<string> Canonical = new(value => value.Length);

    /// <summary>The text <see cref="Of"/> fingerprints: sanitised, marker removed, spelling and whitespace normalised.</summary>
    internal static string CanonicalText(string? sanitizedHtml)
    {
        var html = SyncMarker.Strip(sanitizedHtml);
        html = html.Replace("&nbsp;", " ", StringComparison.Ordinal)
            .Replace("<strong>", "<b>", StringComparison.Ordinal).Replace("</strong>", "</b>", StringComparison.Ordinal)
            .Replace("<em>", "<i>", StringComparison.Ordinal).Replace("</em>", "</i>", StringComparison.Ordinal);
        html = Whitespace().Replace(html, " ");
        return SpaceAroundBlockTag().Replace(html, "$1");
    }

    /// <summary>
    /// SHA-256 (lowercase hex) of <paramref name="canonicalText"/> followed by the attachment URLs, sorted, one a line: the
    /// one fingerprint behind both the body hash above and the detector's baseline of words (<c>MessageHash</c>).
    /// </summary>
    public static string Fingerprint(string canonicalText, IEnumerable<string>? attachmentUrls)
    {
        var sb = new StringBuilder(canonicalText);
        if (attachmentUrls is not null)
        {
            foreach (var url in attachmentUrls.Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u.Trim()).Order(StringComparer.Ordinal))
                sb.Append('\n').Append(url);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    [GeneratedRegex(@"[ \t\n\r\f]+")]
    private static partial Regex Whitespace();

    // Text is escaped in sanitised output, so every '<' here starts a tag.
    [GeneratedRegex(@" ?(</?(?:p|h[1-6]|pre|blockquote|ul|ol|li|hr|br)\b[^>]*>) ?")]
    private static partial Regex SpaceAroundBlockTag();
}
