using MessageSync.Core.Content;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Core.Detection;

/// <summary>
/// The content hash the detector compares with the snapshot: <see cref="ContentHash.Of"/> of the sanitised HTML (sync marker,
/// whitespace and equivalent tags normalised) plus the attachment URLs without their query string, because Cord attachment
/// URLs are signed and change on every read.
/// </summary>
internal static class MessageHash
{
    private const string BaselinePrefix = "words:";

    public static string Of(string bodyHtml, IReadOnlyList<Attachment> attachments) =>
        ContentHash.Of(bodyHtml, attachments.Select(a => StripQuery(a.Url)));

    /// <summary>True when a message carries nothing a person could read: what a redaction leaves behind.</summary>
    public static bool IsEmpty(string bodyText, IReadOnlyList<Attachment> attachments) =>
        string.IsNullOrWhiteSpace(bodyText) && attachments.Count == 0;

    /// <summary>
    /// The snapshot baseline of a copy MessageSync has just written: the words and attachments of the copy as the target will
    /// read it back (the adapter's prediction, or the target's own answer where the API returns the stored message). It is
    /// marked so the detector tells it from the hash of a read: a first read-back with the same words adopts the target's
    /// markup silently (a system that reformats our HTML causes no echo); other words are a person's edit, made before that
    /// first read, and travel like any other.
    /// </summary>
    public static string BaselineOf(ObservedMessage asWritten) => BaselinePrefix + WordsHash(asWritten);

    public static bool IsBaseline(string? hash) => hash is not null && hash.StartsWith(BaselinePrefix, StringComparison.Ordinal);

    /// <summary>True when <paramref name="observed"/> shows the same words and attachments as the copy written with <paramref name="baseline"/>.</summary>
    public static bool MatchesBaseline(string baseline, ObservedMessage observed) => baseline == BaselineOf(observed);

    private static string WordsHash(ObservedMessage message) =>
        ContentHash.Fingerprint(
            string.Join(' ', message.BodyText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)),
            message.Attachments.Select(a => StripQuery(a.Url)));

    private static string StripQuery(string url)
    {
        var cut = url.IndexOfAny(['?', '#']);
        return cut < 0 ? url : url[..cut];
    }
}
