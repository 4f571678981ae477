using System.Reflection;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace MessageSync.Simulators;

/// <summary>
/// The vendors' machine-readable contracts (copies of api-docs/contracts, embedded in this assembly) as NJsonSchema
/// schemas: Pylon's OpenAPI document, Cord's request schemas (@cord-sdk/api-types) and response schemas
/// (@cord-sdk/types). The simulators validate requests with the open schemas, as published; the contract tests ask for
/// closed ones (<c>closed: true</c>: every object refuses a field the contract does not name), so "field for field" is
/// checked both ways. The helpdesk publishes no machine-readable contract: its schemas here are written from the tables
/// of api-docs 002 and say so.
/// </summary>
public static class VendorContracts
{
    private static readonly Lazy<JsonObject> PylonDocument = new(() => Load("contracts/pylon-openapi.json").AsObject());
    private static readonly Lazy<JsonObject> CordApiTypes = new(() => Load("contracts/cord-api-types-schema.json").AsObject());

    /// <summary>A component schema of Pylon's OpenAPI document, with every component it refers to.</summary>
    public static JsonSchema Pylon(string componentName, bool closed = true)
    {
        // NJsonSchema resolves $refs under "definitions", not OpenAPI's "components/schemas": move them there.
        var schemas = JsonNode.Parse(PylonDocument.Value["components"]!["schemas"]!.ToJsonString()
            .Replace("#/components/schemas/", "#/definitions/", StringComparison.Ordinal))!.AsObject();
        if (closed)
        {
            Close(schemas);
        }

        var root = schemas[componentName]?.DeepClone().AsObject()
            ?? throw new ArgumentException($"Pylon's document has no component {componentName}", nameof(componentName));
        root["definitions"] = schemas;
        return FromNode(root);
    }

    /// <summary>
    /// The response schema of a Pylon operation for <paramref name="status"/>. A status the operation does not list
    /// (401, 429) is answered with the document's error body, <c>ErrorApiResponseBody</c>.
    /// </summary>
    public static JsonSchema PylonResponse(string path, string method, int status, bool closed = true)
    {
        var responses = Operation(path, method)["responses"]!.AsObject();
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var reference = responses[key]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>();
        return Pylon(reference?.Split('/')[^1] ?? "ErrorApiResponseBody", closed);
    }

    /// <summary>The request body schema of a Pylon operation; null when it takes no body.</summary>
    public static JsonSchema? PylonRequest(string path, string method, bool closed = true) =>
        Operation(path, method)["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>() is { } reference
            ? Pylon(reference.Split('/')[^1], closed)
            : null;

    /// <summary>The query parameters a Pylon operation documents (none of the Messages operations has any).</summary>
    public static IReadOnlySet<string> PylonQueryParameters(string path, string method) =>
        (Operation(path, method)["parameters"] as JsonArray ?? [])
            .Where(p => p?["in"]?.GetValue<string>() == "query")
            .Select(p => p!["name"]!.GetValue<string>())
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The path templates and methods of Pylon's document (to match a captured request to its operation).</summary>
    public static IEnumerable<(string Path, string Method)> PylonOperations() =>
        PylonDocument.Value["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key)));

    /// <summary>A Cord response schema (cord-response-schemas/NAME.schema.json), consts rewritten into one-value enums.</summary>
    public static JsonSchema Cord(string name) => FromNode(CordResponse(name));

    /// <summary>
    /// <c>GET /v1/threads/{threadID}/messages</c> (api-docs 003): "a JSON Array" of message objects, each a
    /// <c>CoreMessageData</c>.
    /// </summary>
    public static JsonSchema CordThreadMessages()
    {
        var list = CordResponse("ServerListMessages");
        return FromNode(new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["type"] = "array",
            ["items"] = new JsonObject { ["$ref"] = "#/definitions/CoreMessageData" },
            ["definitions"] = list["definitions"]!.DeepClone(),
        });
    }

    /// <summary>A Cord request schema from cord-api-types-schema.json (<c>CreateMessageVariables</c>, ...), consts rewritten.</summary>
    public static JsonSchema CordRequest(string name) => FromNode(CordRequestNode(name));

    /// <summary>
    /// <c>CreateMessageVariables</c> as seed 003 (the API version MessageSync targets) documents <c>createThread</c>:
    /// <c>name</c>, <c>url</c> and <c>organizationID</c> required. The 1.47.2 schema renamed the id <c>groupID</c> and
    /// also requires <c>location</c>; with <paramref name="eitherGroupId"/> (the simulator, which accepts both spellings)
    /// only <c>name</c> and <c>url</c> are required here and the id is checked by the caller.
    /// </summary>
    public static JsonSchema CordCreateMessageAsSeed(bool eitherGroupId = false)
    {
        var create = CordRequestNode("CreateMessageVariables");
        var thread = create["definitions"]!["Omit<ServerCreateThread,\"id\">"]!.AsObject();
        thread["required"] = eitherGroupId ? new JsonArray("name", "url") : new JsonArray("name", "url", "organizationID");
        return FromNode(create);
    }

    /// <summary>The raw JSON of a Cord request schema, consts rewritten.</summary>
    public static JsonObject CordRequestNode(string name)
    {
        var node = CordApiTypes.Value[name]?.DeepClone().AsObject()
            ?? throw new ArgumentException($"Cord's schema map has no {name}", nameof(name));
        ConstToEnum(node);
        return node;
    }

    /// <summary>The query parameters a Cord list documents (<c>ListThreadMessageParameters</c>, <c>ListMessageParameters</c>).</summary>
    public static IReadOnlySet<string> CordQueryParameters(string name) =>
        CordRequestNode(name)["properties"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The helpdesk message object, written from api-docs 002 ("The message object"): the table's fields and types;
    /// <c>textContent</c>, <c>attachments</c> and <c>ccs</c> are optional; <c>type</c> is request, response or note.
    /// </summary>
    public static JsonSchema HelpdeskMessage() => FromNode(HelpdeskMessageNode());

    /// <summary>
    /// The list answer. api-docs 002 documents the query of "List messages" but not the body: only <c>data</c>, an
    /// array of message objects, is relied on; <c>page</c>, <c>limit</c>, <c>total</c> and <c>has_more</c> are
    /// optional numbers and a boolean where given.
    /// </summary>
    public static JsonSchema HelpdeskMessageList() => FromNode(new JsonObject
    {
        ["type"] = "object",
        ["required"] = new JsonArray("data"),
        ["properties"] = new JsonObject
        {
            ["data"] = new JsonObject { ["type"] = "array", ["items"] = HelpdeskMessageNode() },
            ["page"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 },
            ["limit"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 100 },
            ["total"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 },
            ["has_more"] = new JsonObject { ["type"] = "boolean" },
        },
        ["additionalProperties"] = false,
    });

    /// <summary>"Create a message", request body (api-docs 002): its table, closed; <c>ticket_update</c> with its own table.</summary>
    public static JsonSchema HelpdeskCreateRequest()
    {
        var person = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("email"),
            ["properties"] = new JsonObject { ["email"] = Str(), ["name"] = Str() },
            ["additionalProperties"] = false,
        };
        return FromNode(new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("ticket_id", "type", "content"),
            ["properties"] = new JsonObject
            {
                ["ticket_id"] = Str(),
                ["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("request", "response", "note") },
                ["content"] = Str(),
                ["text_content"] = Str(),
                ["recipients"] = new JsonObject { ["type"] = "array", ["items"] = person.DeepClone() },
                ["ccs"] = new JsonObject { ["type"] = "array", ["items"] = person.DeepClone() },
                ["attachments"] = new JsonObject { ["type"] = "array", ["items"] = AttachmentNode() },
                ["send_email"] = new JsonObject { ["type"] = "boolean" },
                ["is_forward"] = new JsonObject { ["type"] = "boolean" },
                ["ticket_update"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["status"] = Str(),
                        ["priority"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("low", "normal", "high", "urgent") },
                        ["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("question", "incident", "problem", "task") },
                    },
                    ["additionalProperties"] = false,
                },
            },
            ["additionalProperties"] = false,
        });
    }

    /// <summary>The validation errors of <paramref name="json"/> against <paramref name="schema"/>, one a line; empty when valid.</summary>
    public static string Violations(JsonSchema schema, string json)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ICollection<ValidationError> errors = schema.Validate(json);
        return string.Join("\n", errors.Select(e => e.ToString()));
    }

    /// <summary>Rewrites every <c>const</c> into a one-value <c>enum</c>: NJsonSchema 10.7.2 ignores <c>const</c> (DEPENDENCIES.md).</summary>
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

    private static JsonObject HelpdeskMessageNode() => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("id", "ticketId", "type", "content", "authorId", "createdAt", "updatedAt"),
        ["properties"] = new JsonObject
        {
            ["id"] = Str(),
            ["ticketId"] = Str(),
            ["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("request", "response", "note") },
            ["content"] = Str(),
            ["textContent"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            ["authorId"] = Str(),
            ["attachments"] = new JsonObject { ["type"] = "array", ["items"] = AttachmentNode() },
            ["ccs"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["email"] = Str(), ["name"] = new JsonObject { ["type"] = new JsonArray("string", "null") } },
                    ["additionalProperties"] = false,
                },
            },
            ["createdAt"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            ["updatedAt"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
        },
        ["additionalProperties"] = false,
    };

    // Attachment references { token, name, size } (api-docs 002, "Create a message").
    private static JsonObject AttachmentNode() => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("token", "name", "size"),
        ["properties"] = new JsonObject { ["token"] = Str(), ["name"] = Str(), ["size"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 } },
        ["additionalProperties"] = false,
    };

    private static JsonObject Str() => new() { ["type"] = "string" };

    private static JsonObject Operation(string path, string method) =>
        PylonDocument.Value["paths"]?[path]?[method.ToLowerInvariant()]?.AsObject()
            ?? throw new ArgumentException($"Pylon's document has no {method} {path}", nameof(path));

    private static JsonObject CordResponse(string name)
    {
        var node = Load($"contracts/cord-response-schemas/{name}.schema.json").AsObject();
        ConstToEnum(node);
        return node;
    }

    private static JsonSchema FromNode(JsonNode node) => JsonSchema.FromJsonAsync(node.ToJsonString()).GetAwaiter().GetResult();

    private static JsonNode Load(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded contract {resource} is missing");
        return JsonNode.Parse(stream)!;
    }

    /// <summary>Adds <c>additionalProperties: false</c> to every object schema that names its properties and says nothing else.</summary>
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
}
