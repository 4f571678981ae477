using System.Globalization;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace MessageSync.Core.Content;

/// <summary>
/// Allowlist HTML sanitiser built on AngleSharp's HTML5 parser (the HtmlSanitizer package does not restore
/// here, see DEPENDENCIES.md). Every body MessageSync stores or mirrors goes through it.
/// </summary>
/// <remarks>
/// Kept: p, br, b, strong, i, em, u, s, code, pre, blockquote, ul, ol, li, a[href], span (only as the sync
/// marker, a mention or an assignee), h1-h6, hr; the data- attributes that carry Cord's lossy nodes.
/// Removed with their content: script, style, iframe, object, embed, form, svg, math and the like.
/// Every other element is unwrapped (its text stays); div-like containers become paragraphs so text does
/// not run together. The output follows a strict content model (root holds blocks only; p, h* and pre
/// hold inline content only; lists hold li only), nests at most <see cref="HtmlNames.MaxDepth"/> deep,
/// and is a fixed point: <c>Sanitize(Sanitize(x)) == Sanitize(x)</c>.
/// </remarks>
public static class HtmlSanitizer
{
    private const string HtmlNamespace = "http://www.w3.org/1999/xhtml";
    private const int MaxIdLength = 512;
    private const int MaxUrlLength = 8192;

    // Removed with everything inside: active content, embedded documents, forms, foreign content and
    // elements whose text was never meant to be read as part of the message.
    private static readonly HashSet<string> Dangerous =
    [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "svg", "math",
        "noscript", "noembed", "noframes", "template", "textarea", "select", "option", "optgroup", "datalist",
        "input", "img", "image", "video", "audio", "source", "track", "picture", "canvas", "map", "area",
        "param", "link", "meta", "base", "basefont", "bgsound", "title", "head", "portal", "slot", "keygen",
        "isindex", "fencedframe", "xml",
    ];

    private static readonly HashSet<string> Allowed =
    [
        "p", "br", "b", "strong", "i", "em", "u", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a",
        "span", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    ];

    // Synonyms kept as their allowed counterpart; div-like containers become paragraphs.
    private static readonly Dictionary<string, string> Mapped = new(StringComparer.Ordinal)
    {
        ["strike"] = "s", ["del"] = "s", ["ins"] = "u", ["tt"] = "code", ["kbd"] = "code", ["samp"] = "code",
        ["menu"] = "ul", ["dir"] = "ul",
        ["div"] = "p", ["section"] = "p", ["article"] = "p", ["header"] = "p", ["footer"] = "p", ["nav"] = "p",
        ["aside"] = "p", ["main"] = "p", ["address"] = "p", ["figure"] = "p", ["figcaption"] = "p",
        ["table"] = "p", ["caption"] = "p", ["thead"] = "p", ["tbody"] = "p", ["tfoot"] = "p", ["tr"] = "p",
        ["td"] = "p", ["th"] = "p", ["dl"] = "p", ["dt"] = "p", ["dd"] = "p", ["center"] = "p",
        ["details"] = "p", ["summary"] = "p", ["fieldset"] = "p", ["legend"] = "p", ["hgroup"] = "p",
        ["dialog"] = "p", ["search"] = "p", ["listing"] = "pre", ["xmp"] = "pre", ["plaintext"] = "pre",
    };

    /// <summary>Returns the allowlisted, normalised HTML of <paramref name="html"/>; never throws.</summary>
    public static string Sanitize(string? html) => HtmlWriter.Write(SanitizeToTree(html));

    /// <summary>Parses and sanitises into the internal tree (root element named <c>#root</c>).</summary>
    internal static HElement SanitizeToTree(string? html)
    {
        var root = new HElement("#root");
        if (string.IsNullOrEmpty(html))
            return root;

        var parser = new HtmlParser(new HtmlParserOptions { IsScripting = false });
        using var document = parser.ParseDocument(NestingGuard.Limit(html));
        if (document.Body is { } body && body.LocalName == "body")
            Walk(body, root);

        return Finish(root);
    }

    /// <summary>Content model, then the depth bound, then the content model again (flattening can empty elements).</summary>
    internal static HElement Finish(HElement root)
    {
        root.Children = NormalizeChildren(root);
        root.Children = FixContainer(root, root.Children, isRoot: true);
        Bound(root, 0);
        root.Children = NormalizeChildren(root);
        root.Children = FixContainer(root, root.Children, isRoot: true);
        return root;
    }

    // ---- walk: AngleSharp DOM -> allowlisted tree (iterative: the DOM may be 10,000 levels deep) ----

    private readonly record struct Frame(INode Node, HElement Parent, int Depth, bool InLink);

    private static void Walk(IElement body, HElement root)
    {
        var stack = new Stack<Frame>();
        PushChildren(stack, body, root, 0, false);
        while (stack.Count > 0)
        {
            var (node, parent, depth, inLink) = stack.Pop();
            if (node is IText text)
            {
                AppendText(parent, text.Data);
                continue;
            }

            if (node is not IElement el)
                continue; // comments, processing instructions

            if (el.NamespaceUri != HtmlNamespace)
                continue; // svg / math content: removed whole

            var name = el.LocalName;
            if (Dangerous.Contains(name))
                continue;

            var target = Allowed.Contains(name) ? name : Mapped.GetValueOrDefault(name);
            HElement? kept = null;
            if (target is not null && depth < HtmlNames.MaxDepth && !(target == "a" && inLink))
            {
                kept = new HElement(target);
                CopyAttributes(el, kept);
                if ((target == "a" && !kept.Attributes.ContainsKey("href"))
                    || (target == "span" && kept.Attributes.Count == 0))
                    kept = null;
            }

            if (kept is not null)
            {
                parent.Children.Add(kept);
                if (!HtmlNames.Void.Contains(target!))
                    PushChildren(stack, el, kept, depth + 1, inLink || target == "a");
            }
            else
            {
                PushChildren(stack, el, parent, depth, inLink);
            }
        }
    }

    private static void PushChildren(Stack<Frame> stack, INode node, HElement parent, int depth, bool inLink)
    {
        var children = node.ChildNodes;
        for (var i = children.Length - 1; i >= 0; i--)
            stack.Push(new Frame(children[i], parent, depth, inLink));
    }

    private static void AppendText(HElement parent, string text)
    {
        if (text.Length == 0)
            return;
        if (parent.Children.Count > 0 && parent.Children[^1] is HText last)
            last.Buffer.Append(text);
        else
            parent.Children.Add(new HText(text));
    }

    private static void CopyAttributes(IElement source, HElement target)
    {
        foreach (var attr in source.Attributes)
        {
            var value = CleanAttribute(target.Name, attr.Name, attr.Value);
            if (value is not null)
                target.Attributes[attr.Name] = value;
        }

        // A done flag only means something on a todo item.
        if (target.Name == "li" && !target.Attributes.ContainsKey(HtmlNames.TodoIdAttribute))
            target.Attributes.Remove(HtmlNames.TodoDoneAttribute);
    }

    /// <summary>The attribute allowlist: returns the value to keep, or null to drop the attribute.</summary>
    internal static string? CleanAttribute(string element, string attribute, string value) =>
        (element, attribute) switch
        {
            ("a", "href") => CleanUrl(value),
            ("span", HtmlNames.SyncIdAttribute) => Guid.TryParse(value.Trim(), out var id) ? id.ToString("D") : null,
            ("span", HtmlNames.MentionIdAttribute) or ("span", HtmlNames.AssigneeIdAttribute)
                or ("li", HtmlNames.TodoIdAttribute) => CleanId(value),
            ("li", HtmlNames.TodoDoneAttribute) => string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase) ? "true" : "false",
            ("li", "value") or ("ol", "start") => CleanInteger(value),
            ("p", HtmlNames.MarkdownAttribute) => "true",
            _ => null,
        };

    private static string? CleanId(string value) =>
        value.Length is > 0 and <= MaxIdLength && !value.Any(char.IsControl) ? value : null;

    private static string? CleanInteger(string value) =>
        int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n.ToString(CultureInfo.InvariantCulture)
            : null;

    /// <summary>
    /// Keeps only absolute http, https and mailto URLs. The value arrives entity-decoded from the parser;
    /// like a browser, leading/trailing controls and spaces are trimmed and tab/newline removed before the
    /// scheme is read, and anything else that is a control character disqualifies the URL.
    /// </summary>
    internal static string? CleanUrl(string? raw)
    {
        if (raw is null || raw.Length > MaxUrlLength)
            return null;

        var sb = new StringBuilder(raw.Length);
        foreach (var c in raw.AsSpan().Trim(" \t\n\r\f\v\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u00a0\u200b\ufeff"))
        {
            if (c is '\t' or '\n' or '\r')
                continue;
            if (char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
                return null;
            sb.Append(c);
        }

        var url = sb.ToString();
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
            return null; // relative or scheme-less: means nothing once mirrored to another system

        var scheme = url[..colon];
        if (!scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') || !char.IsAsciiLetter(scheme[0]))
            return null;

        return scheme.ToLowerInvariant() switch
        {
            "http" or "https" => url.Length > colon + 1 ? url : null,
            "mailto" => url.Length > colon + 1 ? url : null,
            _ => null,
        };
    }

    // ---- content model (recursive: the walk bounds the depth) ----

    private static List<HNode> NormalizeChildren(HElement el)
    {
        var result = new List<HNode>(el.Children.Count);
        foreach (var child in el.Children)
        {
            if (child is HText t)
                AddMerged(result, t);
            else
            {
                foreach (var n in NormalizeElement((HElement)child))
                {
                    if (n is HText nt)
                        AddMerged(result, nt);
                    else
                        result.Add(n);
                }
            }
        }

        return result;
    }

    private static void AddMerged(List<HNode> list, HText text)
    {
        if (text.Buffer.Length == 0)
            return;
        if (list.Count > 0 && list[^1] is HText last)
            last.Buffer.Append(text.Buffer);
        else
            list.Add(text);
    }

    private static List<HNode> NormalizeElement(HElement el)
    {
        if (HtmlNames.Void.Contains(el.Name))
        {
            el.Children = [];
            return [el];
        }

        var kids = NormalizeChildren(el);
        if (HtmlNames.InlineOnlyBlocks.Contains(el.Name))
            return SplitInlineContainer(el, kids);
        if (HtmlNames.Inline.Contains(el.Name))
            return SplitInline(el, kids);
        if (el.Name is "ul" or "ol")
            return FixList(el, kids);

        // li, blockquote
        var fixedKids = FixContainer(el, kids, isRoot: false);
        if (fixedKids.Count == 0)
            return [];
        el.Children = fixedKids;
        return [el];
    }

    /// <summary>p, h*, pre: inline content only; a block inside splits the element and moves up a level.</summary>
    private static List<HNode> SplitInlineContainer(HElement el, List<HNode> kids)
    {
        if (!kids.Exists(HtmlNames.IsBlock))
        {
            if (kids.Count == 0)
                return [];
            el.Children = kids;
            return [el];
        }

        var result = new List<HNode>();
        var run = new List<HNode>();
        foreach (var k in kids)
        {
            if (HtmlNames.IsBlock(k))
            {
                FlushRun(el, run, result);
                result.Add(k);
            }
            else
            {
                run.Add(k);
            }
        }

        FlushRun(el, run, result);
        return result;
    }

    /// <summary>Inline elements hold inline content only; formatting is pushed into p/h*/pre found inside.</summary>
    private static List<HNode> SplitInline(HElement el, List<HNode> kids)
    {
        if (kids.Count == 0)
            return el.IsSyncMarker ? [el] : [];

        if (!kids.Exists(HtmlNames.IsBlock))
        {
            el.Children = kids;
            return [el];
        }

        var result = new List<HNode>();
        var run = new List<HNode>();
        foreach (var k in kids)
        {
            if (k is HElement block && HtmlNames.Blocks.Contains(block.Name))
            {
                FlushRun(el, run, result);
                if (HtmlNames.InlineOnlyBlocks.Contains(block.Name) && block.Children.Count > 0)
                {
                    var wrapper = el.ShallowClone();
                    wrapper.Children = block.Children;
                    block.Children = [wrapper];
                }

                result.Add(block);
            }
            else
            {
                run.Add(k);
            }
        }

        FlushRun(el, run, result);
        return result;
    }

    private static void FlushRun(HElement template, List<HNode> run, List<HNode> result)
    {
        if (run.Count == 0)
            return;
        if (!run.TrueForAll(n => n is HText t && t.IsWhitespace()))
        {
            var clone = template.ShallowClone();
            clone.Children = [.. run];
            result.Add(clone);
        }

        run.Clear();
    }

    /// <summary>ul/ol hold li only: a stray nested list joins the item before it, other stray content gets its own item.</summary>
    private static List<HNode> FixList(HElement el, List<HNode> kids)
    {
        var items = new List<HNode>();
        var run = new List<HNode>();

        void Flush()
        {
            if (run.TrueForAll(n => (n is HText t && t.IsWhitespace()) || n is HElement { Name: "br" }))
            {
                run.Clear();
                return;
            }

            var meaningful = run.Where(n => !(n is HText t && t.IsWhitespace())).ToList();
            if (meaningful.TrueForAll(n => n is HElement { Name: "ul" or "ol" }) && items.Count > 0
                && items[^1] is HElement previous)
            {
                previous.Children.AddRange(meaningful);
            }
            else
            {
                var li = new HElement("li") { Children = [.. run] };
                items.Add(li);
            }

            run.Clear();
        }

        foreach (var k in kids)
        {
            if (k is HElement { Name: "li" })
            {
                Flush();
                items.Add(k);
            }
            else
            {
                run.Add(k);
            }
        }

        Flush();
        if (items.Count == 0)
            return [];
        el.Children = items;
        return [el];
    }

    /// <summary>
    /// Root, li and blockquote: a stray li is wrapped in ul; at the root, inline content is wrapped in p
    /// and whitespace between blocks is dropped.
    /// </summary>
    private static List<HNode> FixContainer(HElement el, List<HNode> kids, bool isRoot)
    {
        _ = el;
        var result = new List<HNode>();
        var inline = new List<HNode>();
        var items = new List<HNode>();

        void FlushInline()
        {
            if (inline.Count == 0)
                return;
            if (!isRoot)
            {
                foreach (var n in inline)
                {
                    if (n is HText t)
                        AddMerged(result, t);
                    else
                        result.Add(n);
                }
            }
            else if (!inline.TrueForAll(n => n is HText t && t.IsWhitespace()))
            {
                result.Add(new HElement("p") { Children = [.. inline] });
            }

            inline.Clear();
        }

        void FlushItems()
        {
            if (items.Count == 0)
                return;
            result.Add(new HElement("ul") { Children = [.. items] });
            items.Clear();
        }

        foreach (var k in kids)
        {
            if (k is HElement { Name: "li" })
            {
                FlushInline();
                items.Add(k);
            }
            else if (k is HText t && items.Count > 0 && t.IsWhitespace())
            {
                // whitespace between stray items means nothing
            }
            else if (HtmlNames.IsBlock(k))
            {
                FlushItems();
                FlushInline();
                result.Add(k);
            }
            else
            {
                FlushItems();
                inline.Add(k);
            }
        }

        FlushItems();
        FlushInline();
        return result;
    }

    // ---- depth bound ----

    /// <summary>
    /// Flattens to text whatever would nest deeper than <see cref="HtmlNames.MaxDepth"/>. An element at the
    /// last level but one keeps text only; a list there keeps its items, which keep text only, so a list is
    /// never left holding bare text.
    /// </summary>
    private static void Bound(HElement el, int depth)
    {
        foreach (var child in el.Children)
        {
            if (child is not HElement c)
                continue;
            var childDepth = depth + 1;
            if (childDepth >= HtmlNames.MaxDepth - 1)
            {
                if (c.Name is "ul" or "ol")
                {
                    foreach (var li in c.Children)
                    {
                        if (li is HElement item)
                            Flatten(item);
                    }
                }
                else
                {
                    Flatten(c);
                }
            }
            else
            {
                Bound(c, childDepth);
            }
        }
    }

    private static void Flatten(HElement el)
    {
        if (HtmlNames.Void.Contains(el.Name))
            return;
        var sb = new StringBuilder();
        CollectText(el, sb);
        el.Children = sb.Length > 0 ? [new HText(sb.ToString())] : [];
    }

    /// <summary>Text of a subtree, iteratively; br and block boundaries become newlines.</summary>
    internal static void CollectText(HElement el, StringBuilder sb)
    {
        var stack = new Stack<HNode>();
        for (var i = el.Children.Count - 1; i >= 0; i--)
            stack.Push(el.Children[i]);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node is HText t)
            {
                sb.Append(t.Buffer);
                continue;
            }

            var e = (HElement)node;
            if (e.Name == "br" || (HtmlNames.Blocks.Contains(e.Name) && sb.Length > 0 && sb[^1] != '\n'))
                sb.Append('\n');
            for (var i = e.Children.Count - 1; i >= 0; i--)
                stack.Push(e.Children[i]);
        }
    }
}
