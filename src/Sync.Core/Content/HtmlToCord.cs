using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MessageSync.Core.Content;

/// <summary>
/// HTML (Pylon, helpdesk, the canonical body) to Cord's structured <c>MessageContent</c>
/// (api-docs/contracts/cord-response-schemas/MessageContent.schema.json); the reverse is <see cref="CordToHtml"/>.
/// </summary>
/// <remarks>
/// Cord nodes without an HTML element of their own arrive as data- attributes on allowed elements, which the sanitiser
/// keeps: mention = <c>span[data-mention-id]</c>, assignee = <c>span[data-assignee-id]</c>, todo =
/// <c>li[data-todo-id][data-todo-done]</c> in a ul, markdown = <c>p[data-markdown]</c>. List nesting is bullet indent;
/// <c>ol[start]</c> / <c>li[value]</c> is bulletNumber. The SyncMarker is not content: it is dropped (Cord carries the
/// canonical id in message metadata). Lossy on a first pass (stable after): headings become bold paragraphs, hr and
/// strike-through are dropped.
/// </remarks>
public static class HtmlToCord
{
    // Quotes nested deeper than this are merged into the outer quote: it keeps the JSON within
    // System.Text.Json's default depth of 64 for whoever serialises or parses the content next.
    private const int MaxQuoteDepth = 8;

    /// <summary>Sanitises <paramref name="html"/> and converts it to Cord MessageContent; never throws.</summary>
    public static JsonArray Convert(string? html)
    {
        var root = HtmlSanitizer.SanitizeToTree(html);
        var blocks = new List<CNode>();
        ConvertBlocks(root.Children, blocks, 0);
        var result = new JsonArray();
        foreach (var b in blocks)
            result.Add(b.ToJson());
        return result;
    }

    [Flags]
    private enum Marks
    {
        None = 0,
        Bold = 1,
        Italic = 2,
        Underline = 4,
        Code = 8,
    }

    /// <summary>Intermediate Cord node, so that adjacent text with the same marks merges before JSON is built.</summary>
    private abstract class CNode
    {
        public abstract JsonNode ToJson();
    }

    private sealed class CText(string text, Marks marks) : CNode
    {
        public StringBuilder Text { get; } = new(text);

        public Marks Marks { get; } = marks;

        public override JsonNode ToJson()
        {
            var o = new JsonObject { ["text"] = Text.ToString() };
            if (Marks.HasFlag(Marks.Bold))
                o["bold"] = true;
            if (Marks.HasFlag(Marks.Italic))
                o["italic"] = true;
            if (Marks.HasFlag(Marks.Underline))
                o["underline"] = true;
            if (Marks.HasFlag(Marks.Code))
                o["code"] = true;
            return o;
        }
    }

    private sealed class CElement(string type) : CNode
    {
        public string Type { get; } = type;

        public List<KeyValuePair<string, JsonNode>> Properties { get; } = [];

        public List<CNode> Children { get; } = [];

        public override JsonNode ToJson()
        {
            var o = new JsonObject { ["type"] = Type };
            foreach (var (k, v) in Properties)
                o[k] = v.DeepClone();
            var children = new JsonArray();
            foreach (var c in Children)
                children.Add(c.ToJson());
            o["children"] = children;
            return o;
        }
    }

    private static void ConvertBlocks(List<HNode> nodes, List<CNode> output, int quoteDepth)
    {
        var run = new List<HNode>();
        foreach (var n in nodes)
        {
            if (HtmlNames.IsBlock(n))
            {
                FlushParagraph(run, output);
                ConvertBlock((HElement)n, output, quoteDepth);
            }
            else
            {
                run.Add(n);
            }
        }

        FlushParagraph(run, output);
    }

    private static void FlushParagraph(List<HNode> run, List<CNode> output)
    {
        if (run.Count == 0)
            return;
        var p = new CElement("p");
        ConvertInline(run, p.Children, preserveWhitespace: false, Marks.None);
        if (p.Children.Count > 0)
            output.Add(p);
        run.Clear();
    }

    private static void ConvertBlock(HElement e, List<CNode> output, int quoteDepth)
    {
        switch (e.Name)
        {
            case "p":
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
            {
                var node = new CElement(e.Attr(HtmlNames.MarkdownAttribute) is null ? "p" : "markdown");
                var marks = e.Name == "p" ? Marks.None : Marks.Bold;
                ConvertInline(e.Children, node.Children, preserveWhitespace: false, marks);
                if (node.Children.Count > 0)
                    output.Add(node);
                break;
            }

            case "pre":
            {
                var node = new CElement("code");
                ConvertInline(e.Children, node.Children, preserveWhitespace: true, Marks.None);
                if (node.Children.Count > 0)
                    output.Add(node);
                break;
            }

            case "blockquote":
            {
                if (quoteDepth >= MaxQuoteDepth)
                {
                    ConvertBlocks(e.Children, output, quoteDepth);
                    break;
                }

                var node = new CElement("quote");
                if (e.Children.Exists(HtmlNames.IsBlock))
                    ConvertBlocks(e.Children, node.Children, quoteDepth + 1);
                else
                    ConvertInline(e.Children, node.Children, preserveWhitespace: false, Marks.None);
                if (node.Children.Count > 0)
                    output.Add(node);
                break;
            }

            case "ul" or "ol":
                ConvertList(e, 0, output);
                break;

            case "li":
                ConvertItem(e, ordered: false, 0, 0, output);
                break;

            default:
                break; // hr: Cord has no rule node
        }
    }

    private static void ConvertList(HElement list, int indent, List<CNode> output)
    {
        var ordered = list.Name == "ol";
        var number = ordered && int.TryParse(list.Attr("start"), CultureInfo.InvariantCulture, out var start) ? start : 1;
        foreach (var child in list.Children)
        {
            if (child is not HElement li)
                continue;
            if (ordered && int.TryParse(li.Attr("value"), CultureInfo.InvariantCulture, out var value))
                number = value;
            ConvertItem(li, ordered, number, indent, output);
            number++;
        }
    }

    private static void ConvertItem(HElement li, bool ordered, int number, int indent, List<CNode> output)
    {
        var pending = new List<HNode>();

        void Flush()
        {
            if (pending.Count == 0)
                return;
            CElement node;
            if (li.Attr(HtmlNames.TodoIdAttribute) is { } todoId)
            {
                node = new CElement("todo");
                node.Properties.Add(new("todoID", JsonValue.Create(todoId)));
                node.Properties.Add(new("done", JsonValue.Create(li.Attr(HtmlNames.TodoDoneAttribute) == "true")));
            }
            else if (ordered)
            {
                node = new CElement("number_bullet");
                node.Properties.Add(new("bulletNumber", JsonValue.Create(number)));
            }
            else
            {
                node = new CElement("bullet");
            }

            if (indent > 0 && node.Type != "todo")
                node.Properties.Add(new("indent", JsonValue.Create(indent)));
            ConvertInline(pending, node.Children, preserveWhitespace: false, Marks.None);
            pending.Clear();
            if (node.Children.Count > 0)
                output.Add(node);
        }

        foreach (var c in li.Children)
        {
            if (c is HElement { Name: "ul" or "ol" } sub)
            {
                Flush();
                ConvertList(sub, Math.Min(indent + 1, CordJson.MaxIndent), output);
            }
            else if (c is HElement block && HtmlNames.Blocks.Contains(block.Name))
            {
                // A list item holds one line of inline content in Cord: blocks inside it become lines.
                if (pending.Count > 0)
                    pending.Add(new HElement("br"));
                if (HtmlNames.InlineOnlyBlocks.Contains(block.Name))
                {
                    pending.AddRange(block.Children);
                }
                else
                {
                    var sb = new StringBuilder();
                    HtmlContentModel.CollectText(block, sb);
                    pending.Add(new HText(sb.ToString()));
                }
            }
            else
            {
                pending.Add(c);
            }
        }

        Flush();
    }

    private static void ConvertInline(List<HNode> nodes, List<CNode> output, bool preserveWhitespace, Marks marks)
    {
        var previousSpace = true; // collapse leading whitespace of a block
        AddInline(nodes, output, preserveWhitespace, marks, insideNode: false, ref previousSpace);
        if (!preserveWhitespace)
            TrimEnd(output);
    }

    private static void AddInline(List<HNode> nodes, List<CNode> output, bool preserve, Marks marks, bool insideNode, ref bool previousSpace)
    {
        foreach (var n in nodes)
        {
            if (n is HText t)
            {
                var text = preserve ? t.Text : Collapse(t.Buffer, ref previousSpace);
                AddText(output, text, marks);
                continue;
            }

            var e = (HElement)n;
            switch (e.Name)
            {
                case "br":
                    AddText(output, "\n", marks);
                    previousSpace = true;
                    break;
                case "b" or "strong":
                    AddInline(e.Children, output, preserve, marks | Marks.Bold, insideNode, ref previousSpace);
                    break;
                case "i" or "em":
                    AddInline(e.Children, output, preserve, marks | Marks.Italic, insideNode, ref previousSpace);
                    break;
                case "u":
                    AddInline(e.Children, output, preserve, marks | Marks.Underline, insideNode, ref previousSpace);
                    break;
                case "code":
                    // Inside a code block every leaf is code already; the mark would only double it.
                    AddInline(e.Children, output, preserve, preserve ? marks : marks | Marks.Code, insideNode, ref previousSpace);
                    break;
                // Links, mentions and assignees hold text in Cord: one nested in another keeps only its text,
                // which also keeps the JSON shallow.
                case "a" when !insideNode && e.Attr("href") is { } href:
                {
                    var link = new CElement("link");
                    link.Properties.Add(new("url", JsonValue.Create(href)));
                    AddInline(e.Children, link.Children, preserve, marks, insideNode: true, ref previousSpace);
                    if (link.Children.Count > 0)
                        output.Add(link);
                    break;
                }

                case "span" when !insideNode && e.Attr(HtmlNames.MentionIdAttribute) is { } userId:
                    AddUserNode("mention", userId, e, output, preserve, marks, ref previousSpace);
                    break;
                case "span" when !insideNode && e.Attr(HtmlNames.AssigneeIdAttribute) is { } assigneeId:
                    AddUserNode("assignee", assigneeId, e, output, preserve, marks, ref previousSpace);
                    break;
                default:
                    // s, the sync marker (not content, see the remarks), anything unexpected: keep the text.
                    AddInline(e.Children, output, preserve, marks, insideNode, ref previousSpace);
                    break;
            }
        }
    }

    private static void AddUserNode(string type, string userId, HElement e, List<CNode> output, bool preserve, Marks marks, ref bool previousSpace)
    {
        var node = new CElement(type);
        node.Properties.Add(new("user", new JsonObject { ["id"] = userId }));
        AddInline(e.Children, node.Children, preserve, marks, insideNode: true, ref previousSpace);
        if (node.Children.Count > 0)
            output.Add(node);
    }

    private static void AddText(List<CNode> output, string text, Marks marks)
    {
        if (text.Length == 0)
            return;
        if (output.Count > 0 && output[^1] is CText last && last.Marks == marks)
            last.Text.Append(text);
        else
            output.Add(new CText(text, marks));
    }

    /// <summary>HTML whitespace collapsing: runs become one space, none after a space already written.</summary>
    private static string Collapse(StringBuilder text, ref bool previousSpace)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (HtmlNames.IsHtmlWhitespace(c))
            {
                if (!previousSpace)
                    sb.Append(' ');
                previousSpace = true;
            }
            else
            {
                sb.Append(c);
                previousSpace = false;
            }
        }

        return sb.ToString();
    }

    private static void TrimEnd(List<CNode> nodes)
    {
        while (nodes.Count > 0)
        {
            switch (nodes[^1])
            {
                case CText t:
                    while (t.Text.Length > 0 && t.Text[^1] == ' ')
                        t.Text.Length--;
                    if (t.Text.Length > 0)
                        return;
                    nodes.RemoveAt(nodes.Count - 1);
                    break;
                case CElement e:
                    TrimEnd(e.Children);
                    if (e.Children.Count > 0)
                        return;
                    nodes.RemoveAt(nodes.Count - 1);
                    break;
                default:
                    return;
            }
        }
    }
}
