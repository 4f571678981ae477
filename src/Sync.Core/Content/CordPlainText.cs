using System.Text;
using System.Text.Json.Nodes;

namespace MessageSync.Core.Content;

/// <summary>The plain text of Cord content, derived as Cord itself derives a message's <c>plaintext</c>.</summary>
public static class CordPlainText
{
    /// <summary>
    /// Cord's own derivation of <c>plaintext</c> (convertStructuredMessageToText in its SDK): the text of
    /// each top-level node, its leaves concatenated, the nodes joined by newlines, the whole trimmed.
    /// </summary>
    public static string Of(JsonArray? content)
    {
        if (content is null)
            return string.Empty;
        var parts = new List<string>(content.Count);
        foreach (var node in content)
            parts.Add(node is JsonObject o ? OfNode(o) : string.Empty);
        return string.Join('\n', parts).Trim();
    }

    /// <summary>The text of one node and its descendants, leaves concatenated.</summary>
    internal static string OfNode(JsonObject node)
    {
        // Iterative: content arriving from outside may nest arbitrarily deep.
        var sb = new StringBuilder();
        var stack = new Stack<JsonNode?>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            if (stack.Pop() is not JsonObject o)
                continue;
            if (CordJson.GetString(o, "text") is { } text)
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
}
