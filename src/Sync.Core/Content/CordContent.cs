using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MessageSync.Core.Content;

/// <summary>
/// Converts between sanitised HTML (Pylon, helpdesk, the canonical body) and Cord's structured
/// <c>MessageContent</c> (api-docs/contracts/cord-response-schemas/MessageContent.schema.json).
/// </summary>
/// <remarks>
/// Cord nodes without an HTML element of their own travel as data- attributes on allowed elements, which
/// the sanitiser keeps: mention = <c>span[data-mention-id]</c>, assignee = <c>span[data-assignee-id]</c>,
/// todo = <c>li[data-todo-id][data-todo-done]</c> in a ul, markdown = <c>p[data-markdown]</c>. Bullet
/// indent is list nesting; bulletNumber is <c>ol[start]</c> / <c>li[value]</c>. The SyncMarker is not
/// content: <see cref="FromHtml"/> drops it (Cord carries the canonical id in message metadata) and
/// <see cref="ToHtml"/> never writes one. Lossy on a first pass (stable after): headings become bold
/// paragraphs, hr and strike-through are dropped, the <c>class</c> property is not carried.
/// </remarks>
public static class CordContent
{
    /// <summary>Cord's editor allows bullets to indent at most this far (MAX_BULLET_INDENT in its SDK).</summary>
    internal const int MaxIndent = 4;

    // Quotes nested deeper than this are merged into the outer quote: it keeps the JSON within
    // System.Text.Json's default depth of 64 for whoever serialises or parses the content next.
    private const int MaxQuoteDepth = 8;

    // Cord content deeper than this is flattened to its text when converted to HTML.
    private const int MaxCordDepth = 24;

    private static readonly HashSet<string> ElementTypes =
        ["p", "quote", "code", "markdown", "bullet", "number_bullet", "link", "mention", "assignee", "todo"];

    // ================================================================ HTML -> Cord

    /// <summary>Sanitises <paramref name="html"/> and converts it to Cord MessageContent; never throws.</summary>
    public static JsonArray FromHtml(string? html)
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
                ConvertList(sub, Math.Min(indent + 1, MaxIndent), output);
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
                    HtmlSanitizer.CollectText(block, sb);
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

    // ================================================================ Cord -> HTML

    /// <summary>Converts Cord MessageContent to sanitised HTML; tolerates malformed nodes (best effort, never throws).</summary>
    public static string ToHtml(JsonArray? content)
    {
        if (content is null)
            return string.Empty;
        var root = new HElement("#root");
        AddCordNodes(content, root, codeBlock: false, depth: 0);

        // The tree goes through the sanitiser as text: the one code path that decides what is safe and
        // what the parser will make of it.
        return HtmlSanitizer.Sanitize(HtmlWriter.Write(root));
    }

    private sealed class OpenList(HElement list, string kind, int level)
    {
        public HElement List { get; } = list;

        public string Kind { get; } = kind;

        public int Level { get; } = level;

        public HElement? LastItem { get; set; }

        public int? NextNumber { get; set; }
    }

    private static void AddCordNodes(JsonArray nodes, HElement parent, bool codeBlock, int depth)
    {
        var lists = new Stack<OpenList>();
        foreach (var node in nodes)
        {
            if (node is not JsonObject obj)
                continue;

            if (depth >= MaxCordDepth)
            {
                parent.Children.Add(new HText(PlainTextOf(obj)));
                continue;
            }

            var type = GetString(obj, "type");
            if (GetString(obj, "text") is { } text && !(type is not null && obj["children"] is JsonArray))
            {
                lists.Clear();
                AddTextLeaf(parent, text, obj, codeBlock);
                continue;
            }

            var children = obj["children"] as JsonArray;
            HElement? element = null;
            var childCode = codeBlock;
            switch (type)
            {
                case "bullet" or "number_bullet" or "todo":
                    element = AddListItem(lists, parent, obj, type);
                    break;
                case "p":
                    element = new HElement("p");
                    break;
                case "markdown":
                    element = new HElement("p");
                    element.Attributes[HtmlNames.MarkdownAttribute] = "true";
                    break;
                case "quote":
                    element = new HElement("blockquote");
                    break;
                case "code":
                {
                    var pre = new HElement("pre");
                    element = new HElement("code");
                    pre.Children.Add(element);
                    lists.Clear();
                    parent.Children.Add(pre);
                    childCode = true;
                    if (children is not null)
                        AddCordNodes(children, element, childCode, depth + 1);
                    continue;
                }

                case "link" when HtmlSanitizer.CleanUrl(GetString(obj, "url")) is { } url:
                    element = new HElement("a");
                    element.Attributes["href"] = url;
                    break;
                case "mention" or "assignee" when GetString(obj["user"] as JsonObject, "id") is { } id
                    && HtmlSanitizer.CleanAttribute("span", type == "mention" ? HtmlNames.MentionIdAttribute : HtmlNames.AssigneeIdAttribute, id) is { } cleanId:
                    element = new HElement("span");
                    element.Attributes[type == "mention" ? HtmlNames.MentionIdAttribute : HtmlNames.AssigneeIdAttribute] = cleanId;
                    break;
                default:
                    break;
            }

            if (type is not ("bullet" or "number_bullet" or "todo"))
                lists.Clear();

            var host = parent;
            if (element is not null && element.Name != "li")
            {
                parent.Children.Add(element);
                host = element;
            }
            else if (element is not null)
            {
                host = element;
            }

            // An unknown node, or a link / mention without a usable url / id: its text is kept.
            if (children is not null)
                AddCordNodes(children, host, childCode, depth + 1);
        }
    }

    private static HElement AddListItem(Stack<OpenList> lists, HElement parent, JsonObject obj, string type)
    {
        var kind = type == "number_bullet" ? "ol" : "ul";
        var level = type == "todo" ? 0 : Math.Clamp(ReadInt(obj["indent"]) ?? 0, 0, MaxIndent);

        while (lists.Count > 0 && lists.Peek().Level > level)
            lists.Pop();
        if (lists.Count > 0 && lists.Peek().Level == level && lists.Peek().Kind != kind)
            lists.Pop();

        while (lists.Count == 0 || lists.Peek().Level < level)
        {
            var newLevel = lists.Count == 0 ? 0 : lists.Peek().Level + 1;
            HElement host;
            if (lists.Count == 0)
            {
                host = parent;
            }
            else
            {
                var top = lists.Peek();
                if (top.LastItem is null)
                {
                    top.LastItem = new HElement("li");
                    top.List.Children.Add(top.LastItem);
                }

                host = top.LastItem;
            }

            var listKind = newLevel == level ? kind : "ul";
            var list = new HElement(listKind);
            host.Children.Add(list);
            lists.Push(new OpenList(list, listKind, newLevel));
        }

        var open = lists.Peek();
        var li = new HElement("li");
        if (type == "todo")
        {
            if (HtmlSanitizer.CleanAttribute("li", HtmlNames.TodoIdAttribute, GetString(obj, "todoID") ?? string.Empty) is { } todoId)
            {
                li.Attributes[HtmlNames.TodoIdAttribute] = todoId;
                li.Attributes[HtmlNames.TodoDoneAttribute] = obj["done"] is JsonValue v && v.GetValueKind() == JsonValueKind.True ? "true" : "false";
            }
        }
        else if (kind == "ol")
        {
            var number = ReadInt(obj["bulletNumber"]) ?? open.NextNumber ?? 1;
            if (open.NextNumber is null)
            {
                if (number != 1)
                    open.List.Attributes["start"] = number.ToString(CultureInfo.InvariantCulture);
            }
            else if (number != open.NextNumber)
            {
                li.Attributes["value"] = number.ToString(CultureInfo.InvariantCulture);
            }

            open.NextNumber = number + 1;
        }

        open.List.Children.Add(li);
        open.LastItem = li;
        return li;
    }

    private static void AddTextLeaf(HElement parent, string text, JsonObject obj, bool codeBlock)
    {
        HElement host = parent;
        HElement? outer = null;

        void Wrap(string name)
        {
            var e = new HElement(name);
            if (outer is null)
                outer = e;
            else
                host.Children.Add(e);
            host = e;
        }

        if (IsTrue(obj, "bold"))
            Wrap("b");
        if (IsTrue(obj, "italic"))
            Wrap("i");
        if (IsTrue(obj, "underline"))
            Wrap("u");
        if (IsTrue(obj, "code") && !codeBlock)
            Wrap("code");

        if (codeBlock)
        {
            host.Children.Add(new HText(text));
        }
        else
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (i > 0)
                    host.Children.Add(new HElement("br"));
                if (lines[i].Length > 0)
                    host.Children.Add(new HText(lines[i]));
            }
        }

        if (outer is not null)
            parent.Children.Add(outer);
    }

    // ================================================================ plain text, validation

    /// <summary>
    /// Cord's own derivation of <c>plaintext</c> (convertStructuredMessageToText in its SDK): the text of
    /// each top-level node, its leaves concatenated, the nodes joined by newlines, the whole trimmed.
    /// </summary>
    public static string ToPlainText(JsonArray? content)
    {
        if (content is null)
            return string.Empty;
        var parts = new List<string>(content.Count);
        foreach (var node in content)
            parts.Add(node is JsonObject o ? PlainTextOf(o) : string.Empty);
        return string.Join('\n', parts).Trim();
    }

    private static string PlainTextOf(JsonObject node)
    {
        // Iterative: content arriving from outside may nest arbitrarily deep.
        var sb = new StringBuilder();
        var stack = new Stack<JsonNode?>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            if (stack.Pop() is not JsonObject o)
                continue;
            if (GetString(o, "text") is { } text)
            {
                sb.Append(text);
                continue;
            }

            if (o["children"] is JsonArray children)
            {
                for (var i = children.Count - 1; i >= 0; i--)
                    stack.Push(children[i]);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Checks <paramref name="content"/> against the node shapes of Cord's MessageContent schema
    /// (cord-api-types-schema.json: every node is a closed object). Returns one message per problem,
    /// each starting with a JSON path; an empty list means valid.
    /// </summary>
    public static IReadOnlyList<string> Validate(JsonArray? content)
    {
        var errors = new List<string>();
        if (content is null)
        {
            errors.Add("$: content must be an array");
            return errors;
        }

        var stack = new Stack<(JsonArray Array, string Path)>();
        stack.Push((content, "$"));
        while (stack.Count > 0)
        {
            var (array, path) = stack.Pop();
            for (var i = 0; i < array.Count; i++)
            {
                var nodePath = $"{path}[{i}]";
                if (array[i] is not JsonObject node)
                {
                    errors.Add($"{nodePath}: a node must be an object");
                    continue;
                }

                var childArray = ValidateNode(node, nodePath, errors);
                if (childArray is not null)
                    stack.Push((childArray, nodePath + ".children"));
            }
        }

        return errors;
    }

    private static JsonArray? ValidateNode(JsonObject node, string path, List<string> errors)
    {
        if (node.ContainsKey("text"))
        {
            // MessageTextNode: text, optional marks, class and (oddly, per the schema) a type.
            if (!IsKind(node["text"], JsonValueKind.String))
                errors.Add($"{path}.text: must be a string");
            foreach (var (key, value) in node)
            {
                switch (key)
                {
                    case "text":
                        break;
                    case "bold" or "italic" or "underline" or "code":
                        if (!IsKind(value, JsonValueKind.True) && !IsKind(value, JsonValueKind.False))
                            errors.Add($"{path}.{key}: must be a boolean");
                        break;
                    case "class":
                        if (!IsKind(value, JsonValueKind.String))
                            errors.Add($"{path}.class: must be a string");
                        break;
                    case "type":
                        if (!IsKind(value, JsonValueKind.String) || !ElementTypes.Contains(value!.GetValue<string>()))
                            errors.Add($"{path}.type: not a node type");
                        break;
                    default:
                        errors.Add($"{path}.{key}: not allowed on a text node");
                        break;
                }
            }

            return null;
        }

        if (!node.ContainsKey("type"))
        {
            errors.Add($"{path}: a node needs either 'text' or 'type'");
            return null;
        }

        var type = IsKind(node["type"], JsonValueKind.String) ? node["type"]!.GetValue<string>() : null;
        if (type is null || !ElementTypes.Contains(type))
        {
            errors.Add($"{path}.type: unknown node type");
            return null;
        }

        var allowed = new HashSet<string> { "type", "class", "children" };
        switch (type)
        {
            case "bullet":
                allowed.Add("indent");
                RequireKind(node, "indent", JsonValueKind.Number, path, errors, required: false);
                break;
            case "number_bullet":
                allowed.UnionWith(["indent", "bulletNumber"]);
                RequireKind(node, "indent", JsonValueKind.Number, path, errors, required: false);
                RequireKind(node, "bulletNumber", JsonValueKind.Number, path, errors, required: true);
                break;
            case "link":
                allowed.Add("url");
                RequireKind(node, "url", JsonValueKind.String, path, errors, required: true);
                break;
            case "mention" or "assignee":
                allowed.Add("user");
                ValidateUser(node, path, errors);
                break;
            case "todo":
                allowed.UnionWith(["todoID", "done"]);
                RequireKind(node, "todoID", JsonValueKind.String, path, errors, required: true);
                if (!node.ContainsKey("done"))
                    errors.Add($"{path}.done: required");
                else if (!IsKind(node["done"], JsonValueKind.True) && !IsKind(node["done"], JsonValueKind.False))
                    errors.Add($"{path}.done: must be a boolean");
                break;
            default:
                break;
        }

        if (node.ContainsKey("class") && !IsKind(node["class"], JsonValueKind.String))
            errors.Add($"{path}.class: must be a string");
        foreach (var (key, _) in node)
        {
            if (!allowed.Contains(key))
                errors.Add($"{path}.{key}: not allowed on a '{type}' node");
        }

        if (!node.ContainsKey("children"))
        {
            errors.Add($"{path}.children: required");
            return null;
        }

        if (node["children"] is not JsonArray children)
        {
            errors.Add($"{path}.children: must be an array");
            return null;
        }

        return children;
    }

    private static void ValidateUser(JsonObject node, string path, List<string> errors)
    {
        if (!node.ContainsKey("user"))
        {
            errors.Add($"{path}.user: required");
            return;
        }

        if (node["user"] is not JsonObject user)
        {
            errors.Add($"{path}.user: must be an object");
            return;
        }

        RequireKind(user, "id", JsonValueKind.String, path + ".user", errors, required: true);
        foreach (var (key, _) in user)
        {
            if (key != "id")
                errors.Add($"{path}.user.{key}: not allowed");
        }
    }

    private static void RequireKind(JsonObject node, string key, JsonValueKind kind, string path, List<string> errors, bool required)
    {
        if (!node.ContainsKey(key))
        {
            if (required)
                errors.Add($"{path}.{key}: required");
            return;
        }

        if (!IsKind(node[key], kind))
            errors.Add($"{path}.{key}: must be a {kind.ToString().ToLowerInvariant()}");
    }

    // ================================================================ helpers

    private static bool IsKind(JsonNode? node, JsonValueKind kind) => node is JsonValue v && v.GetValueKind() == kind;

    private static bool IsTrue(JsonObject obj, string key) => IsKind(obj[key], JsonValueKind.True);

    private static string? GetString(JsonObject? obj, string key) =>
        obj is not null && obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static int? ReadInt(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
            return null;
        // ToJsonString, not GetValue<double>: a value built from an int in code does not convert to double.
        if (!double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return null;
        if (double.IsNaN(d) || d < int.MinValue || d > int.MaxValue)
            return null;
        return (int)Math.Floor(d);
    }
}
