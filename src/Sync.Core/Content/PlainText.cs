using System.Globalization;
using System.Text;

namespace MessageSync.Core.Content;

/// <summary>Readable plain text of an HTML body (the canonical message's <c>BodyText</c>, helpdesk text fields).</summary>
public static class PlainText
{
    /// <summary>
    /// Paragraphs are separated by a blank line, line breaks kept, list items one per line with "- " or
    /// "N. " (todo items "[ ] " / "[x] "), nested lists indented two spaces a level, quotes prefixed "> ",
    /// preformatted text kept as written; whitespace elsewhere collapsed as a browser would.
    /// </summary>
    public static string FromHtml(string? html) =>
        string.IsNullOrEmpty(html) ? FromHtmlFresh(html) : Texts.Get(html, FromHtmlFresh);

    // A pure function of the body, read again by every poll that reads the message (ContentMemo).
    private static readonly ContentMemo<string> Texts = new(value => value.Length);

    /// <summary><see cref="FromHtml"/> without the memo: parses every time.</summary>
    internal static string FromHtmlFresh(string? html)
    {
        var root = HtmlSanitizer.SanitizeToTree(html);
        return Blocks(root.Children).Trim('\n');
    }

    // Recursive: the sanitised tree is at most HtmlNames.MaxDepth deep.
    private static string Blocks(List<HNode> nodes)
    {
        var parts = new List<string>();
        var run = new List<HNode>();

        void FlushRun()
        {
            if (run.Count == 0)
                return;
            var text = Inline(run);
            if (text.Length > 0)
                parts.Add(text);
            run.Clear();
        }

        foreach (var n in nodes)
        {
            if (n is HElement e && HtmlNames.Blocks.Contains(e.Name))
            {
                FlushRun();
                var text = Block(e);
                if (text.Length > 0)
                    parts.Add(text);
            }
            else
            {
                run.Add(n);
            }
        }

        FlushRun();
        return string.Join("\n\n", parts);
    }

    private static string Block(HElement e) => e.Name switch
    {
        "pre" => Preformatted(e),
        "blockquote" => string.Join('\n', Blocks(e.Children).Split('\n').Select(l => l.Length > 0 ? "> " + l : ">")),
        "ul" or "ol" => List(e, 0),
        "hr" => "---",
        _ => Inline(e.Children),
    };

    private static string Preformatted(HElement e)
    {
        var sb = new StringBuilder();
        HtmlContentModel.CollectText(e, sb);
        return sb.ToString().TrimEnd('\n');
    }

    private static string List(HElement list, int level)
    {
        var lines = new List<string>();
        var number = list.Name == "ol" && int.TryParse(list.Attr("start"), CultureInfo.InvariantCulture, out var start) ? start : 1;
        var indent = new string(' ', level * 2);
        foreach (var child in list.Children)
        {
            if (child is not HElement li)
                continue;
            if (int.TryParse(li.Attr("value"), CultureInfo.InvariantCulture, out var value))
                number = value;
            var bullet = li.Attr(HtmlNames.TodoIdAttribute) is not null
                ? (li.Attr(HtmlNames.TodoDoneAttribute) == "true" ? "[x] " : "[ ] ")
                : list.Name == "ol" ? number.ToString(CultureInfo.InvariantCulture) + ". " : "- ";
            number++;

            var content = new List<HNode>();
            var sublists = new List<string>();
            foreach (var c in li.Children)
            {
                if (c is HElement { Name: "ul" or "ol" } sub)
                    sublists.Add(List(sub, level + 1));
                else
                    content.Add(c);
            }

            var text = Blocks(content).Replace("\n\n", "\n", StringComparison.Ordinal);
            var continuation = "\n" + indent + new string(' ', bullet.Length);
            if (text.Length > 0 || sublists.Count == 0)
                lines.Add(indent + bullet + text.Replace("\n", continuation, StringComparison.Ordinal));
            lines.AddRange(sublists);
        }

        return string.Join('\n', lines);
    }

    private static string Inline(List<HNode> nodes)
    {
        var sb = new StringBuilder();
        var previousSpace = true;
        AppendInline(nodes, sb, ref previousSpace);

        // Spaces at line ends are invisible in HTML; drop them.
        var lines = sb.ToString().Split('\n').Select(l => l.TrimEnd(' '));
        return string.Join('\n', lines).Trim('\n');
    }

    private static void AppendInline(List<HNode> nodes, StringBuilder sb, ref bool previousSpace)
    {
        foreach (var n in nodes)
        {
            if (n is HText t)
            {
                for (var i = 0; i < t.Buffer.Length; i++)
                {
                    var c = t.Buffer[i];
                    if (HtmlNames.IsHtmlWhitespace(c))
                    {
                        if (!previousSpace)
                            sb.Append(' ');
                        previousSpace = true;
                    }
                    else
                    {
                        sb.Append(c == '\u00A0' ? ' ' : c);
                        previousSpace = false;
                    }
                }
            }
            else if (n is HElement { Name: "br" })
            {
                sb.Append('\n');
                previousSpace = true;
            }
            else if (n is HElement e)
            {
                AppendInline(e.Children, sb, ref previousSpace);
            }
        }
    }
}
