using System.Text;
using System.Text.Json.Nodes;

namespace MessageSync.Simulators;

/// <summary>Derives Cord's <c>plaintext</c> and link previews from structured <c>MessageContent</c>.</summary>
internal static class CordContent
{
    private static readonly HashSet<string> Inline = ["mention", "link", "assignee"];

    /// <summary>Text leaves concatenated; block nodes (p, bullet, quote, code, todo, ...) on their own lines.</summary>
    public static string Plaintext(JsonArray content)
    {
        var sb = new StringBuilder();
        Append(sb, content);
        return sb.ToString().Trim('\n');
    }

    public static JsonArray Paragraph(string text) =>
        new(new JsonObject { ["type"] = "p", ["children"] = new JsonArray(new JsonObject { ["text"] = text }) });

    /// <summary>Every <c>link</c> node's URL, in order.</summary>
    public static IEnumerable<string> Links(JsonNode? node)
    {
        if (node is JsonArray a)
        {
            foreach (var child in a)
            {
                foreach (var url in Links(child))
                {
                    yield return url;
                }
            }
        }
        else if (node is JsonObject o)
        {
            if (o["type"]?.GetValue<string>() == "link" && o["url"]?.GetValue<string>() is { } u)
            {
                yield return u;
            }

            foreach (var url in Links(o["children"]))
            {
                yield return url;
            }
        }
    }

    private static void Append(StringBuilder sb, JsonArray nodes)
    {
        foreach (var node in nodes.OfType<JsonObject>())
        {
            if (node["text"] is JsonValue text && node["children"] is null)
            {
                sb.Append(text.GetValue<string>());
                continue;
            }

            var type = node["type"]?.GetValue<string>();
            var block = type is not null && !Inline.Contains(type);
            if (block && sb.Length > 0 && sb[^1] != '\n')
            {
                sb.Append('\n');
            }

            if (node["children"] is JsonArray children)
            {
                Append(sb, children);
            }

            if (block && sb.Length > 0 && sb[^1] != '\n')
            {
                sb.Append('\n');
            }
        }
    }
}
