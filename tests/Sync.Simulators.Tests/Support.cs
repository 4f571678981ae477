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

/// <summary>The vendor contracts (<see cref="VendorContracts"/>), closed: an extra field fails too, field for field.</summary>
internal static class Contracts
{
    public static JsonSchema Pylon(string schemaName) => VendorContracts.Pylon(schemaName);

    /// <summary>The response schema of an operation of Pylon's document (status 200 or an error status).</summary>
    public static JsonSchema PylonOperation(string path, string method, string status) =>
        VendorContracts.PylonResponse(path, method, int.Parse(status, System.Globalization.CultureInfo.InvariantCulture));

    public static JsonSchema Cord(string name) => VendorContracts.Cord(name);

    public static JsonSchema CordThreadMessages() => VendorContracts.CordThreadMessages();

    public static JsonSchema CordRequest(string name) => VendorContracts.CordRequest(name);

    public static void AssertValid(JsonSchema schema, string json)
    {
        var violations = VendorContracts.Violations(schema, json);
        Assert.True(violations.Length == 0, violations + "\n" + json);
    }
}
