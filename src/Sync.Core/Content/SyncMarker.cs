using AngleSharp.Dom;

namespace MessageSync.Core.Content;

/// <summary>
/// The invisible element MessageSync puts into the Pylon and helpdesk bodies it writes, so that crash
/// recovery can find a mirror it may already have written (DESIGN.md, "Idempotent apply").
/// </summary>
public static class SyncMarker
{
    /// <summary>The marker element: an empty span, which every renderer shows as nothing.</summary>
    public static string Render(Guid canonicalId) =>
        $"<span {HtmlNames.SyncIdAttribute}=\"{canonicalId:D}\"></span>";

    /// <summary>
    /// Sanitises <paramref name="html"/>, removes any marker in it and appends one for
    /// <paramref name="canonicalId"/> at the end of the last paragraph (or in a paragraph of its own), so
    /// that the result is already a fixed point of <see cref="HtmlSanitizer.Sanitize"/>.
    /// </summary>
    public static string Append(string html, Guid canonicalId)
    {
        var root = StripToTree(html);
        var marker = new HElement("span");
        marker.Attributes[HtmlNames.SyncIdAttribute] = canonicalId.ToString("D");
        if (root.Children.Count > 0 && root.Children[^1] is HElement last && HtmlNames.InlineOnlyBlocks.Contains(last.Name))
            last.Children.Add(marker);
        else
            root.Children.Add(new HElement("p") { Children = [marker] });
        return HtmlWriter.Write(root);
    }

    /// <summary>
    /// Reads the canonical id back from a body as the target system returned it: any element with a
    /// data-sync-id attribute, in any attribute order or quoting, braces or not around the id.
    /// </summary>
    public static Guid? Find(string? html)
    {
        if (string.IsNullOrEmpty(html) || !html.Contains(HtmlNames.SyncIdAttribute, StringComparison.OrdinalIgnoreCase))
            return null;

        var found = Found.Get(html, static raw => FindInDocument(raw)?.ToString("D") ?? "");
        return found.Length == 0 ? null : Guid.Parse(found);
    }

    private static Guid? FindInDocument(string html)
    {
        using var document = Parsers.Html.ParseDocument(NestingGuard.Limit(html));
        if (document.DocumentElement is null)
            return null;

        // Iterative walk: bodies from outside may nest deeply.
        var stack = new Stack<INode>();
        stack.Push(document.DocumentElement);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node is IElement el)
            {
                var value = el.GetAttribute(HtmlNames.SyncIdAttribute);
                if (value is not null && Guid.TryParse(value.Trim(), out var id))
                    return id;
            }

            var children = node.ChildNodes;
            for (var i = children.Length - 1; i >= 0; i--)
                stack.Push(children[i]);
        }

        return null;
    }

    // Find and Strip are pure functions of the body; polls read the same bodies again and again (ContentMemo).
    private static readonly ContentMemo<string> Found = new(value => value.Length);
    private static readonly ContentMemo<string> Stripped = new(value => value.Length);

    /// <summary>The sanitised body without any marker: what is compared and mirrored.</summary>
    public static string Strip(string? html) =>
        string.IsNullOrEmpty(html) ? HtmlWriter.Write(StripToTree(html)) : Stripped.Get(html, static raw => HtmlWriter.Write(StripToTree(raw)));

    internal static HElement StripToTree(string? html)
    {
        var root = HtmlSanitizer.SanitizeToTree(html);
        if (RemoveMarkers(root))
            HtmlSanitizer.Finish(root); // a paragraph that held only the marker is now empty
        return root;
    }

    /// <summary>Unwraps every marker span (keeping anything inside it). Recursive: sanitised trees are depth-bounded.</summary>
    private static bool RemoveMarkers(HElement element)
    {
        var removed = false;
        for (var i = 0; i < element.Children.Count; i++)
        {
            if (element.Children[i] is not HElement child)
                continue;
            removed |= RemoveMarkers(child);
            if (child.IsSyncMarker)
            {
                element.Children.RemoveAt(i);
                element.Children.InsertRange(i, child.Children);
                i += child.Children.Count - 1;
                removed = true;
            }
        }

        return removed;
    }
}
