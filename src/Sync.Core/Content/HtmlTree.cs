using System.Text;

namespace MessageSync.Core.Content;

/// <summary>
/// The small element tree the content code works on. AngleSharp's DOM is only the parser's output: every
/// conversion runs over this tree so that the allowlist, the content model and the depth bound are applied
/// in one place, and so that the serialiser is iterative and deterministic.
/// </summary>
internal abstract class HNode;

internal sealed class HText(string text) : HNode
{
    // A StringBuilder, not a string: unwrapping millions of inline elements appends text pieces to one node,
    // and string concatenation would make a several-MB input quadratic.
    public StringBuilder Buffer { get; } = new(text);

    public string Text => Buffer.ToString();

    public bool IsWhitespace()
    {
        for (var i = 0; i < Buffer.Length; i++)
        {
            if (!HtmlNames.IsHtmlWhitespace(Buffer[i]))
                return false;
        }

        return true;
    }
}

internal sealed class HElement(string name) : HNode
{
    public string Name { get; } = name;

    /// <summary>Attributes, kept sorted by name so that serialisation is deterministic.</summary>
    public SortedDictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);

    public List<HNode> Children { get; set; } = [];

    public string? Attr(string name) => Attributes.TryGetValue(name, out var v) ? v : null;

    public HElement ShallowClone()
    {
        var clone = new HElement(Name);
        foreach (var (k, v) in Attributes)
            clone.Attributes[k] = v;
        return clone;
    }

    public bool IsSyncMarker => Name == "span" && Attributes.ContainsKey(HtmlNames.SyncIdAttribute);
}

internal static class HtmlNames
{
    public const string SyncIdAttribute = "data-sync-id";
    public const string MentionIdAttribute = "data-mention-id";
    public const string AssigneeIdAttribute = "data-assignee-id";
    public const string TodoIdAttribute = "data-todo-id";
    public const string TodoDoneAttribute = "data-todo-done";
    public const string MarkdownAttribute = "data-markdown";

    /// <summary>Deepest element nesting the sanitiser keeps; anything deeper is flattened to text.</summary>
    public const int MaxDepth = 64;

    public static readonly HashSet<string> Blocks =
        ["p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "ul", "ol", "li", "hr"];

    public static readonly HashSet<string> InlineOnlyBlocks = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"];

    public static readonly HashSet<string> Inline = ["b", "strong", "i", "em", "u", "s", "code", "span", "a"];

    public static readonly HashSet<string> Void = ["br", "hr"];

    public static bool IsBlock(HNode n) => n is HElement e && Blocks.Contains(e.Name);

    // The HTML spec's ASCII whitespace: what the parser and renderers collapse.
    public static bool IsHtmlWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';
}

/// <summary>Iterative HTML serialiser for <see cref="HElement"/> trees (HTML syntax, not XHTML).</summary>
internal static class HtmlWriter
{
    public static string Write(HElement root)
    {
        var sb = new StringBuilder();
        WriteChildren(root, sb);
        return sb.ToString();
    }

    public static void WriteChildren(HElement root, StringBuilder sb)
    {
        // Explicit stack of (node, closing?) so that no input shape can exhaust the call stack.
        var stack = new Stack<(HNode Node, bool Close)>();
        for (var i = root.Children.Count - 1; i >= 0; i--)
            stack.Push((root.Children[i], false));

        while (stack.Count > 0)
        {
            var (node, close) = stack.Pop();
            if (node is HText t)
            {
                EscapeText(t.Buffer, sb);
                continue;
            }

            var e = (HElement)node;
            if (close)
            {
                sb.Append("</").Append(e.Name).Append('>');
                continue;
            }

            sb.Append('<').Append(e.Name);
            foreach (var (k, v) in e.Attributes)
            {
                sb.Append(' ').Append(k).Append("=\"");
                EscapeAttribute(v, sb);
                sb.Append('"');
            }

            sb.Append('>');
            if (HtmlNames.Void.Contains(e.Name))
                continue;

            // The parser drops one newline directly after <pre>; write an extra one so that it round-trips.
            if (e.Name == "pre" && e.Children.Count > 0 && e.Children[0] is HText first
                && first.Buffer.Length > 0 && first.Buffer[0] == '\n')
                sb.Append('\n');

            stack.Push((e, true));
            for (var i = e.Children.Count - 1; i >= 0; i--)
                stack.Push((e.Children[i], false));
        }
    }

    private static void EscapeText(StringBuilder text, StringBuilder sb)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\u00A0': sb.Append("&nbsp;"); break;
                default: sb.Append(c); break;
            }
        }
    }

    private static void EscapeAttribute(string value, StringBuilder sb)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\u00A0': sb.Append("&nbsp;"); break;
                default: sb.Append(c); break;
            }
        }
    }
}
