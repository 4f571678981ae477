using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace MessageSync.Simulators;

/// <summary>
/// What a real product's editor may do to the HTML it is given (<see cref="SimulatorOptions.StripUnknownHtml"/>): keep only
/// the attributes it knows (links and images) and drop elements left with nothing in them. MessageSync's invisible
/// <c>&lt;span data-sync-id&gt;</c> marker does not survive it, which is what recovery after a lost answer must cope with
/// (issue 9.6). The APIs document nothing either way (api-docs 001, 002).
/// </summary>
internal static class StoredHtml
{
    private static readonly HashSet<string> KnownAttributes = new(StringComparer.OrdinalIgnoreCase) { "href", "src", "alt" };

    private static readonly HashSet<string> VoidElements = new(StringComparer.OrdinalIgnoreCase) { "br", "hr", "img" };

    public static string Stored(SimulatorOptions options, string html) => options.StripUnknownHtml ? Strip(html) : html;

    public static string Strip(string html)
    {
        var parser = new HtmlParser(new HtmlParserOptions { IsScripting = false });
        using var document = parser.ParseDocument("<body></body>");
        var body = document.Body!;
        body.InnerHtml = html;
        foreach (var element in body.QuerySelectorAll("*").ToList())
        {
            foreach (var attribute in element.Attributes.Where(a => !KnownAttributes.Contains(a.Name)).Select(a => a.Name).ToList())
            {
                element.RemoveAttribute(attribute);
            }
        }

        // Innermost first: a paragraph that held only an empty span is empty once the span is gone.
        foreach (var element in body.QuerySelectorAll("*").Reverse().ToList())
        {
            if (!VoidElements.Contains(element.LocalName) && element.ChildElementCount == 0 && string.IsNullOrWhiteSpace(element.TextContent))
            {
                element.Remove();
            }
        }

        return body.InnerHtml;
    }
}
