using System.Text;

namespace MessageSync.Core.Content;

/// <summary>
/// The sanitiser's second half: brings an allowlisted tree into a strict content model (root holds blocks only; p, h*
/// and pre hold inline content only; lists hold li only) and bounds its depth to <see cref="HtmlNames.MaxDepth"/>.
/// Recursive: the walk that built the tree already bounds how deep it can be.
/// </summary>
internal static class HtmlContentModel
{
    /// <summary>Brings the children of <paramref name="root"/> into the content model.</summary>
    internal static void Apply(HElement root)
    {
        root.Children = NormalizeChildren(root);
        root.Children = FixContainer(root, root.Children, isRoot: true);
    }

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
    internal static void Bound(HElement el, int depth)
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
