using NJsonSchema;

namespace MessageSync.Simulators;

/// <summary>
/// Cord's own request schemas (contracts/cord-api-types-schema.json, @cord-sdk/api-types 1.47.2), loaded once through
/// <see cref="VendorContracts"/> (consts already rewritten into one-value enums).
/// </summary>
internal static class CordSchemas
{
    // Seed 003 requires createThread.organizationID, name and url; the 1.47.2 schema renamed the id groupID and requires
    // location. Either id is accepted; the simulator checks one is present.
    private static readonly Lazy<JsonSchema> CreateSchema = new(() => VendorContracts.CordCreateMessageAsSeed(eitherGroupId: true));
    private static readonly Lazy<JsonSchema> UpdateSchema = new(() => VendorContracts.CordRequest("UpdateMessageVariables"));

    public static JsonSchema Create => CreateSchema.Value;

    public static JsonSchema Update => UpdateSchema.Value;
}
