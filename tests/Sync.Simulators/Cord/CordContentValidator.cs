using System.Text.Json;
using System.Text.Json.Nodes;

namespace MessageSync.Simulators;

/// <summary>
/// Node-shape check of Cord <c>MessageContent</c>, stricter than NJsonSchema's reading of the vendor schema (it reports
/// every problem with a JSON path). Used by the tests to prove that the product's conversions write valid Cord content.
/// </summary>
public static class CordContentValidator
{
    private static readonly HashSet<string> ElementTypes =
        ["p", "quote", "code", "markdown", "bullet", "number_bullet", "link", "mention", "assignee", "todo"];

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

    private static bool IsKind(JsonNode? node, JsonValueKind kind) => node is JsonValue v && v.GetValueKind() == kind;
}
