using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MessageSync.Simulators;

/// <summary>Minimal HS256/HS512 JWT signing and checking: all the simulators need, no extra package.</summary>
internal static class Jwt
{
    public static string Sign(JsonObject payload, string secret, string alg)
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        var head = B64(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var body = B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return $"{head}.{body}.{B64(Mac(alg, secret, $"{head}.{body}"))}";
    }

    /// <summary>Returns the payload when the token is well formed, signed with <paramref name="secret"/> by <paramref name="alg"/> and not expired; else null and why.</summary>
    public static JsonObject? Validate(string? token, string secret, string alg, DateTimeOffset now, out string reason)
    {
        reason = "missing token";
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var parts = token.Split('.');
        reason = "malformed token";
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var header = JsonNode.Parse(Unb64(parts[0])) as JsonObject;
            if (header?["alg"]?.GetValue<string>() != alg)
            {
                reason = $"token must be signed with {alg}";
                return null;
            }

            var expected = Mac(alg, secret, $"{parts[0]}.{parts[1]}");
            if (!CryptographicOperations.FixedTimeEquals(expected, Unb64(parts[2])))
            {
                reason = "invalid signature";
                return null;
            }

            if (JsonNode.Parse(Unb64(parts[1])) is not JsonObject payload)
            {
                return null;
            }

            if (payload["exp"] is JsonValue exp && exp.TryGetValue<double>(out var expSeconds)
                && now.ToUnixTimeSeconds() >= (long)expSeconds)
            {
                reason = "token expired";
                return null;
            }

            if (payload["exp"] is not null and not JsonValue)
            {
                return null;
            }

            reason = "";
            return payload;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    public static string? Bearer(Microsoft.AspNetCore.Http.HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
    }

    private static byte[] Mac(string alg, string secret, string data)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        var bytes = Encoding.UTF8.GetBytes(data);
        return alg == "HS512" ? HMACSHA512.HashData(key, bytes) : HMACSHA256.HashData(key, bytes);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Unb64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}

/// <summary>Opaque offset cursors: a client must not be able to do arithmetic on them.</summary>
internal static class Cursor
{
    public static string Encode(string scope, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{scope}:{offset}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string? cursor, string scope, out int offset)
    {
        offset = 0;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }

        try
        {
            var s = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=')));
            var colon = text.LastIndexOf(':');
            return colon > 0 && text[..colon] == scope && int.TryParse(text[(colon + 1)..], out offset) && offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
