using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MessageSync.Core.Content;

/// <summary>
/// Cord's structured <c>MessageContent</c> to sanitised HTML; the reverse of <see cref="HtmlToCord"/>, with the same
/// data- attribute conventions. Never writes a SyncMarker; the <c>class</c> property is not carried.
/// </summary>
public static class CordToHtml
{
    // Cord content deeper than this is flattened to its text when converted to HTML.
    private const int MaxCordDepth = 24;

    /// <summary>Converts Cord MessageContent to sanitised HTML; tolerates malformed nodes (best effort, never throws).</summary>
    public static string Convert(JsonArray? content)
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
                parent.Children.Add(new HText(CordPlainText.OfNode(obj)));
                continue;
            }

            var type = CordJson.GetString(obj, "type");
            if (CordJson.GetString(obj, "text") is { } text && !(type is not null && obj["children"] is JsonArray))
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

                case "link" when HtmlSanitizer.CleanUrl(CordJson.GetString(obj, "url")) is { } url:
                    element = new HElement("a");
                    element.Attributes["href"] = url;
                    break;
                case "mention" or "assignee" when CordJson.GetString(obj["user"] as JsonObject, "id") is { } id
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
        var level = type == "todo" ? 0 : Math.Clamp(CordJson.ReadInt(obj["indent"]) ?? 0, 0, CordJson.MaxIndent);

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
            if (HtmlSanitizer.CleanAttribute("li", HtmlNames.TodoIdAttribute, CordJson.GetString(obj, "todoID") ?? string.Empty) is { } todoId)
            {
                li.Attributes[HtmlNames.TodoIdAttribute] = todoId;
                li.Attributes[HtmlNames.TodoDoneAttribute] = obj["done"] is JsonValue v && v.GetValueKind() == JsonValueKind.True ? "true" : "false";
            }
        }
        else if (kind == "ol")
        {
            var number = CordJson.ReadInt(obj["bulletNumber"]) ?? open.NextNumber ?? 1;
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

        if (CordJson.IsTrue(obj, "bold"))
            Wrap("b");
        if (CordJson.IsTrue(obj, "italic"))
            Wrap("i");
        if (CordJson.IsTrue(obj, "underline"))
            Wrap("u");
        if (CordJson.IsTrue(obj, "code") && !codeBlock)
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
}
