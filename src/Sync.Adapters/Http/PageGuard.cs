using System.Runtime.CompilerServices;

namespace MessageSync.Adapters.Http;

/// <summary>
/// The cursor an adapter hands the engine for a paged list: the API's own cursor (Pylon's <c>pagination.cursor</c>, a
/// helpdesk page number) plus the id of the list's first message and of the last message seen before this page. The ids
/// let <see cref="PageGuard"/> notice an API that ignores the paging parameters it was sent. A cursor written before
/// these ids existed reads as the API cursor alone.
/// </summary>
public sealed record PageMark(string? ApiCursor, string? FirstId, string? LastId)
{
    private const string Prefix = "ms1:";

    public static PageMark Start { get; } = new(null, null, null);

    public static PageMark Parse(string? cursor)
    {
        if (cursor is null || !cursor.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return new PageMark(cursor, null, null);
        }

        var parts = cursor[Prefix.Length..].Split(':', 3);
        return parts.Length == 3
            ? new PageMark(Blank(parts[2]), Blank(Uri.UnescapeDataString(parts[0])), Blank(Uri.UnescapeDataString(parts[1])))
            : new PageMark(cursor, null, null);
    }

    public string Format() => FirstId is null && LastId is null
        ? ApiCursor ?? ""
        : $"{Prefix}{Uri.EscapeDataString(FirstId ?? "")}:{Uri.EscapeDataString(LastId ?? "")}:{ApiCursor}";

    private static string? Blank(string value) => value.Length == 0 ? null : value;
}

/// <summary>One page after <see cref="PageGuard"/>: the messages not seen before in this read, and where to go on.</summary>
public sealed record GuardedPage<T>(IReadOnlyList<T> Items, string? NextCursor, bool HasMore);

/// <summary>
/// Makes every paged read end with each message seen once, whatever the API does with the paging parameters it was sent
/// (Pylon documents none for listing messages, api-docs 001; the helpdesk documents <c>page</c> but not the answer's
/// envelope, api-docs 002). A page that starts again at the list's first message, or that holds the last message of the
/// previous page anywhere but first, means the API ignored the cursor: the read keeps only what follows that message
/// and ends. A page that merely starts with the previous page's last message (an API whose cursor is inclusive) loses
/// that one duplicate and goes on.
/// </summary>
public static class PageGuard
{
    /// <param name="cursor">The cursor this page was asked for with (the adapter's, as given to the engine).</param>
    /// <param name="items">The page as the API answered it, in list order.</param>
    /// <param name="apiNext">The API's cursor for the next page (null or empty: none).</param>
    /// <param name="apiSaysMore">Whether the API says another page follows.</param>
    public static GuardedPage<T> Apply<T>(string? cursor, IReadOnlyList<T> items, Func<T, string> idOf, string? apiNext, bool apiSaysMore)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(idOf);
        var mark = PageMark.Parse(cursor);
        var (skip, restarted) = Check(items, idOf, mark);
        var kept = skip == 0 ? items : items.Skip(skip).ToList();
        var more = !restarted && apiSaysMore && !string.IsNullOrEmpty(apiNext) && apiNext != mark.ApiCursor;
        if (!more)
        {
            // On the last page (or a repeated one) the cursor stays: the next poll re-reads this page for what was appended.
            return new GuardedPage<T>(kept, cursor, false);
        }

        var next = new PageMark(apiNext, mark.FirstId ?? (items.Count > 0 ? idOf(items[0]) : null), items.Count > 0 ? idOf(items[^1]) : mark.LastId);
        return new GuardedPage<T>(kept, next.Format(), true);
    }

    /// <summary>Every item of a list, page by page from the start, each once (<paramref name="readPage"/> applies the guard).</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(
        Func<string?, CancellationToken, Task<GuardedPage<T>>> readPage, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readPage);
        string? cursor = null;
        while (true)
        {
            var page = await readPage(cursor, cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (!page.HasMore)
            {
                yield break;
            }

            cursor = page.NextCursor;
        }
    }

    private static (int Skip, bool Restarted) Check<T>(IReadOnlyList<T> items, Func<T, string> idOf, PageMark mark)
    {
        if (mark.LastId is null || items.Count == 0)
        {
            return (0, false);
        }

        var at = -1;
        for (var i = 0; i < items.Count && at < 0; i++)
        {
            at = idOf(items[i]) == mark.LastId ? i : -1;
        }

        var restarted = at > 0 || (mark.FirstId is not null && idOf(items[0]) == mark.FirstId);
        if (restarted)
        {
            return (at >= 0 ? at + 1 : items.Count, true);
        }

        return (at == 0 ? 1 : 0, false);
    }
}
