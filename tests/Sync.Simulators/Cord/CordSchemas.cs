using System.Reflection;
using System.Text.Json.Nodes;
using NJsonSchema;

namespace MessageSync.Simulators;

/// <summary>
/// Cord's own request schemas (contracts/cord-api-types-schema.json, @cord-sdk/api-types 1.47.2), loaded
/// once. NJsonSchema ignores <c>const</c>, so each is rewritten into a one-value <c>enum</c> first.
/// </summary>
internal static class CordSchemas
{
    private static readonly Lazy<(JsonSchema Create, JsonSchema Update)> Schemas = new(Load);

    public static JsonSchema Create => Schemas.Value.Create;

    public static JsonSchema Update => Schemas.Value.Update;

    /// <summary>Rewrites every <c>const</c> into a one-value <c>enum</c> (used by the contract tests as well).</summary>
    public static void ConstToEnum(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o.ContainsKey("const") && o["const"] is var c)
                {
                    o.Remove("const");
                    o["enum"] = new JsonArray(c?.DeepClone());
                }

                foreach (var (_, child) in o.ToList())
                {
                    ConstToEnum(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    ConstToEnum(child);
                }

                break;
        }
    }

    private static (JsonSchema, JsonSchema) Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("cord-api-types-schema.json")
            ?? throw new InvalidOperationException("embedded Cord schema missing");
        var root = JsonNode.Parse(stream)!.AsObject();
        var create = root["CreateMessageVariables"]!.DeepClone().AsObject();
        var update = root["UpdateMessageVariables"]!.DeepClone().AsObject();
        ConstToEnum(create);
        ConstToEnum(update);

        // Seed 003 (the API version MessageSync targets) requires createThread.organizationID, name and url;
        // the 1.47.2 schema renamed it groupID and requires location. Accept either id; the simulator checks one is present.
        var thread = create["definitions"]!["Omit<ServerCreateThread,\"id\">"]!.AsObject();
        thread["required"] = new JsonArray("name", "url");
        return (JsonSchema.FromJsonAsync(create.ToJsonString()).GetAwaiter().GetResult(),
            JsonSchema.FromJsonAsync(update.ToJsonString()).GetAwaiter().GetResult());
    }
}
