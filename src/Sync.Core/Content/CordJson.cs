using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MessageSync.Core.Content;

/// <summary>Reading Cord content nodes defensively: content arriving from outside may have any shape.</summary>
internal static class CordJson
{
    /// <summary>Cord's editor allows bullets to indent at most this far (MAX_BULLET_INDENT in its SDK).</summary>
    internal const int MaxIndent = 4;

    internal static bool IsKind(JsonNode? node, JsonValueKind kind) => node is JsonValue v && v.GetValueKind() == kind;

    internal static bool IsTrue(JsonObject obj, string key) => IsKind(obj[key], JsonValueKind.True);

    internal static string? GetString(JsonObject? obj, string key) =>
        obj is not null && obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    internal static int? ReadInt(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
            return null;
        // ToJsonString, not GetValue<double>: a value built from an int in code does not convert to double.
        if (!double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return null;
        if (double.IsNaN(d) || d < int.MinValue || d > int.MaxValue)
            return null;
        return (int)Math.Floor(d);
    }
}
