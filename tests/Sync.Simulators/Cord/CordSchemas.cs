using NJsonSchema;

namespace MessageSync.Simulators;

/// <summary>
/// Cord's own request schemas (contracts/cord-api-types-schema.json, @cord-sdk/api-types 1.47.2), loaded once through
/// <see cref="VendorContracts"/> (consts already rewritten into one-value enums).
/// </summary>
internal static class CordSchemas
{
    private static readonly Lazy<(JsonSchema Create, JsonSchema Update)> Schemas = new(Load);

    public static JsonSchema Create => Schemas.Value.Create;

    public static JsonSchema Update => Schemas.Value.Update;

    private static (JsonSchema, JsonSchema) Load()
    {
        var create = VendorContracts.CordRequestNode("CreateMessageVariables");

        // Seed 003 (the API version MessageSync targets) requires createThread.organizationID, name and url;
        // the 1.47.2 schema renamed it groupID and requires location. Accept either id; the simulator checks one is present.
        var thread = create["definitions"]!["Omit<ServerCreateThread,\"id\">"]!.AsObject();
        thread["required"] = new System.Text.Json.Nodes.JsonArray("name", "url");
        return (JsonSchema.FromJsonAsync(create.ToJsonString()).GetAwaiter().GetResult(),
            VendorContracts.CordRequest("UpdateMessageVariables"));
    }
}
