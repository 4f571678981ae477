using System.Globalization;
using System.Text;
using AngleSharp.Dom;

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

    // Sanitize is a pure function of its input; polls read the same bodies again and again (ContentMemo).
    private static readonly ContentMemo<string> Sanitized = new(value => value.Length);

    /// <summary>Returns the allowlisted, normalised HTML of <paramref name="html"/>; never throws.</summary>
    public static string Sanitize(string? html)
    {
        if (string.IsNullOrEmpty(html))
            return HtmlWriter.Write(new HElement("#root"));

        var sanitized = Sanitized.Get(html, SanitizeFresh);

        // A fixed point (the remarks above; pinned by the tests): sanitising the output again gives the output.
        Sanitized.Add(sanitized, sanitized);
        return sanitized;
    }

    /// <summary><see cref="Sanitize"/> without the memo: parses every time (tests pin the fixed point with it).</summary>
    internal static string SanitizeFresh(string? html) => HtmlWriter.Write(SanitizeToTree(html));

    /// <summary>Parses and sanitises into the internal tree (root element named <c>#root</c>).</summary>
    internal static HElement SanitizeToTree(string? html)
    {
        var root = new HElement("#root");
        if (string.IsNullOrEmpty(html))
            return root;

        using var document = Parsers.Html.ParseDocument(NestingGuard.Limit(html));
        if (document.Body is { } body && body.LocalName == "body")
            Walk(body, root);

        return Finish(root);
    }

    /// <summary>Content model, then the depth bound, then the content model again (flattening can empty elements).</summary>
    internal static HElement Finish(HElement root)
    {
        HtmlContentModel.Apply(root);
        HtmlContentModel.Bound(root, 0);
        HtmlContentModel.Apply(root);
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
}
