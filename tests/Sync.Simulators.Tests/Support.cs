using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using NJsonSchema;

namespace MessageSync.Simulators.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

internal static class Http
{
    public static HttpClient Client(Uri baseUrl, string? bearer = null)
    {
        var c = new HttpClient { BaseAddress = baseUrl };
        if (bearer is not null)
        {
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return c;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(JsonNode json) => Json(json.ToJsonString());

    public static async Task<JsonNode> Body(HttpResponseMessage r) => JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
}

/// <summary>Schemas of the contracts copied beside the simulators (tests/Sync.Simulators/Contracts).</summary>
internal static class Contracts
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Contracts");

    /// <summary>
    /// A component schema of Pylon's OpenAPI document with its $refs resolvable (components carried along).
    /// Every object schema is closed (additionalProperties: false) so an extra field fails too: field for field.
    /// </summary>
    public static JsonSchema Pylon(string schemaName)
    {
        // NJsonSchema resolves refs into "definitions", not OpenAPI's "components/schemas": move them there.
        var text = File.ReadAllText(Path.Combine(Dir, "pylon-openapi.json")).Replace("#/components/schemas/", "#/definitions/", StringComparison.Ordinal);
        var schemas = JsonNode.Parse(text)!["components"]!["schemas"]!.DeepClone().AsObject();
        Close(schemas);
        var root = schemas[schemaName]!.DeepClone().AsObject();
        root["definitions"] = schemas;
        return JsonSchema.FromJsonAsync(root.ToJsonString()).GetAwaiter().GetResult();
    }

    /// <summary>The response schema of an operation of Pylon's document (status 200 or an error status).</summary>
    public static JsonSchema PylonOperation(string path, string method, string status)
    {
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "pylon-openapi.json")))!.AsObject();
        var reference = doc["paths"]![path]![method]!["responses"]![status]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        return Pylon(reference.Split('/')[^1]);
    }

    /// <summary>A Cord response schema with each const rewritten into a one-value enum (NJsonSchema ignores const).</summary>
    public static JsonSchema Cord(string name)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "cord-response-schemas", name + ".schema.json")))!;
        ConstToEnum(node);
        return JsonSchema.FromJsonAsync(node.ToJsonString()).GetAwaiter().GetResult();
    }

    /// <summary>A Cord request schema from cord-api-types-schema.json, consts rewritten.</summary>
    public static JsonSchema CordRequest(string name)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "cord-api-types-schema.json")))![name]!.DeepClone();
        ConstToEnum(node);
        return JsonSchema.FromJsonAsync(node.ToJsonString()).GetAwaiter().GetResult();
    }

    public static void AssertValid(JsonSchema schema, string json)
    {
        var errors = schema.Validate(json);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.ToString())) + "\n" + json);
    }

    private static void Close(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            if (o["properties"] is JsonObject && !o.ContainsKey("additionalProperties"))
            {
                o["additionalProperties"] = false;
            }

            foreach (var (_, child) in o.ToList())
            {
                Close(child);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var child in a)
            {
                Close(child);
            }
        }
    }

    private static void ConstToEnum(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            if (o.ContainsKey("const"))
            {
                var c = o["const"];
                o.Remove("const");
                o["enum"] = new JsonArray(c?.DeepClone());
            }

            foreach (var (_, child) in o.ToList())
            {
                ConstToEnum(child);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var child in a)
            {
                ConstToEnum(child);
            }
        }
    }
}
