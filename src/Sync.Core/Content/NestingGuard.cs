using System.Text;

namespace MessageSync.Core.Content;

/// <summary>
/// Drops start and end tags that would nest deeper than a bound, before the HTML reaches the parser.
/// </summary>
/// <remarks>
/// Why: the HTML5 tree builder checks element scopes by walking the stack of open elements, so a
/// document of N nested elements costs O(N²) to parse: several MB of <c>&lt;div&gt;</c> would take hours.
/// Anything deeper than <see cref="HtmlNames.MaxDepth"/> is flattened by the sanitiser anyway, so tags
/// past this much larger bound carry nothing that would survive. This is a scanner, not a parser: it may
/// misjudge garbage, and that is safe because its output still goes through the parser and the allowlist.
/// It tracks open elements by name, closing unclosed p, li, td and the like the way the tree builder does,
/// so ordinary HTML with unclosed paragraphs or cells is never touched.
/// </remarks>
internal static class NestingGuard
{
    public const int MaxTagDepth = 256;

    private static readonly HashSet<string> Void = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
        "param", "keygen", "basefont", "bgsound", "frame", "image", "html", "head", "body",
    };

    // Elements a later start tag of the same group closes implicitly (the tree builder's "close a p
    // element", li / dd / dt and table-cell rules), so unclosed ones do not nest.
    private static readonly Dictionary<string, string> AutoClosingGroup = new(StringComparer.OrdinalIgnoreCase)
    {
        ["p"] = "p", ["li"] = "li", ["dt"] = "d", ["dd"] = "d", ["tr"] = "tr", ["td"] = "td", ["th"] = "td",
        ["option"] = "option", ["thead"] = "tbody", ["tbody"] = "tbody", ["tfoot"] = "tbody",
    };

    // Where the implicit close stops looking: a new list, table or section scope keeps its outer item open.
    private static readonly Dictionary<string, HashSet<string>> ScopeBoundaries = new(StringComparer.Ordinal)
    {
        ["p"] = ["table", "td", "th", "caption", "button", "object", "marquee", "applet", "template"],
        ["li"] = ["ul", "ol", "menu", "dir", "table", "td", "th", "blockquote", "section", "article", "aside", "nav",
            "header", "footer", "dl", "details", "fieldset", "figure", "form", "main", "center"],
        ["d"] = ["dl", "table", "td", "th", "ul", "ol"],
        ["tr"] = ["table"],
        ["td"] = ["table"],
        ["tbody"] = ["table"],
        ["option"] = ["select", "datalist"],
    };

    private const int AutoCloseLookBack = 8;

    public static string Limit(string html)
    {
        // An approximation of the parser's stack of open elements, by lower-case name.
        var open = new List<string>();
        var droppedByName = new Dictionary<string, int>(StringComparer.Ordinal);
        StringBuilder? sb = null;
        var copiedUpTo = 0;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0 || lt + 1 >= html.Length)
                break;

            var next = html[lt + 1];
            if (next == '!')
            {
                // Comment or doctype: skip to its end so that tags inside a comment are not counted.
                var end = string.CompareOrdinal(html, lt, "<!--", 0, 4) == 0
                    ? html.IndexOf("-->", lt + 4, StringComparison.Ordinal)
                    : html.IndexOf('>', lt);
                i = end < 0 ? html.Length : end + 1;
                continue;
            }

            var isEnd = next == '/';
            var nameStart = lt + (isEnd ? 2 : 1);
            if (nameStart >= html.Length || !char.IsAsciiLetter(html[nameStart]))
            {
                i = lt + 1;
                continue;
            }

            var nameEnd = nameStart;
            while (nameEnd < html.Length && !IsTagNameEnd(html[nameEnd]))
                nameEnd++;
            var tagEnd = FindTagEnd(html, nameEnd);
            var name = html[nameStart..nameEnd].ToLowerInvariant();

            var drop = false;
            if (!Void.Contains(name))
            {
                if (!isEnd)
                {
                    if (AutoClosingGroup.TryGetValue(name, out var group))
                        CloseSameGroup(open, group);
                    if (open.Count >= MaxTagDepth)
                    {
                        drop = true;
                        droppedByName[name] = droppedByName.GetValueOrDefault(name) + 1;
                    }
                    else
                    {
                        open.Add(name);
                    }
                }
                else if (droppedByName.GetValueOrDefault(name) > 0)
                {
                    drop = true;
                    droppedByName[name]--;
                }
                else
                {
                    var at = open.LastIndexOf(name);
                    if (at >= 0)
                        open.RemoveRange(at, open.Count - at);
                }
            }

            if (drop)
            {
                sb ??= new StringBuilder(html.Length);
                sb.Append(html, copiedUpTo, lt - copiedUpTo);
                copiedUpTo = tagEnd;
            }

            i = tagEnd;
        }

        if (sb is null)
            return html;
        sb.Append(html, copiedUpTo, html.Length - copiedUpTo);
        return sb.ToString();
    }

    private static void CloseSameGroup(List<string> open, string group)
    {
        var boundaries = ScopeBoundaries[group];
        for (var k = open.Count - 1; k >= 0 && k >= open.Count - AutoCloseLookBack; k--)
        {
            if (boundaries.Contains(open[k]))
                return;
            if (AutoClosingGroup.TryGetValue(open[k], out var g) && g == group)
            {
                open.RemoveRange(k, open.Count - k);
                return;
            }
        }
    }

    private static bool IsTagNameEnd(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '/' or '>';

    /// <summary>Index just past the tag's closing '&gt;', skipping quoted attribute values.</summary>
    private static int FindTagEnd(string html, int from)
    {
        var quote = '\0';
        for (var j = from; j < html.Length; j++)
        {
            var c = html[j];
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
            }
            else if (c is '"' or '\'' && j > 0 && html[j - 1] == '=')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return j + 1;
            }
        }

        return html.Length;
    }
}
