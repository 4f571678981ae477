using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MessageSync.Simulators;

/// <summary>What every simulator shares: fault injection, request counters, the request pipeline and <c>/_sim/faults</c>.</summary>
public abstract class SimulatorBase
{
    private readonly ConcurrentDictionary<string, FaultState> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> _stats = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResponseHold> _holds = new(StringComparer.Ordinal);
    private readonly Random _random;

    private protected SimulatorBase(SimulatorOptions options)
    {
        Options = options;
        _random = new Random(12345);
    }

    private protected SimulatorOptions Options { get; }

    private protected DateTimeOffset Now => Options.Time.GetUtcNow();

    /// <summary>The endpoint keys this simulator counts and can fault (also accepted: "*" for all).</summary>
    public abstract IReadOnlyList<string> EndpointKeys { get; }

    /// <summary>Injects a fault on one endpoint key (see <see cref="EndpointKeys"/>) or "*" for every endpoint.</summary>
    public void SetFault(string endpointKey, FaultSpec fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (endpointKey != "*" && !EndpointKeys.Contains(endpointKey))
        {
            throw new ArgumentException($"unknown endpoint key '{endpointKey}'; known: {string.Join(", ", EndpointKeys)}", nameof(endpointKey));
        }

        _faults[endpointKey] = new FaultState(fault);
    }

    /// <summary>Removes every injected fault.</summary>
    public void ClearFaults() => _faults.Clear();

    /// <summary>
    /// Holds the response of the next successful request to <paramref name="endpointKey"/> after it took effect, until
    /// <see cref="ResponseHold.Release"/> or the client goes away. Replaces a hold armed earlier on the same key.
    /// </summary>
    public ResponseHold HoldNextResponse(string endpointKey)
    {
        if (!EndpointKeys.Contains(endpointKey))
        {
            throw new ArgumentException($"unknown endpoint key '{endpointKey}'; known: {string.Join(", ", EndpointKeys)}", nameof(endpointKey));
        }

        var hold = new ResponseHold(endpointKey);
        _holds[endpointKey] = hold;
        return hold;
    }

    /// <summary>Counters of one endpoint key.</summary>
    public EndpointStats GetStats(string endpointKey) =>
        _stats.TryGetValue(endpointKey, out var c) ? c.Snapshot() : new EndpointStats(0, 0, 0);

    /// <summary>Counters of every endpoint key.</summary>
    public IReadOnlyDictionary<string, EndpointStats> Stats =>
        EndpointKeys.ToDictionary(k => k, GetStats, StringComparer.Ordinal);

    internal abstract void Map(WebApplication app);

    private protected abstract ValueTask<ApiResult?> AuthenticateAsync(HttpContext ctx, string endpointKey);

    /// <summary>Checks a per-endpoint limit after authentication; null lets the request through.</summary>
    private protected virtual ApiResult? ApplyRateLimit(HttpContext ctx, string endpointKey) => null;

    private protected abstract ApiResult Error(int status, string code, string message);

    /// <summary>Wraps an API handler: counts it, applies faults, authentication and rate limit, writes the result.</summary>
    private protected RequestDelegate Api(string endpointKey, Func<HttpContext, Task<ApiResult>> handler) => async ctx =>
    {
        var counter = _stats.GetOrAdd(endpointKey, _ => new Counter());
        Interlocked.Increment(ref counter.Requests);
        var fault = TakeFault(endpointKey);
        if (fault is not null && fault.Delay > TimeSpan.Zero && Roll(fault.DelayRate))
        {
            await Task.Delay(fault.Delay, ctx.RequestAborted);
        }

        if (fault is not null && Roll(fault.DropRate))
        {
            ctx.Abort();
            return;
        }

        if (fault is not null && Roll(fault.ServerErrorRate))
        {
            Interlocked.Increment(ref counter.ServerErrors);
            await WriteAsync(ctx, Error(500, "INTERNAL", "injected server error"));
            return;
        }

        if (fault is not null && Roll(fault.RateLimitRate))
        {
            Interlocked.Increment(ref counter.RateLimited);
            var limited = Error(429, "RATE_LIMITED", "injected rate limit");
            limited.Headers["Retry-After"] = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteAsync(ctx, limited);
            return;
        }

        var result = await AuthenticateAsync(ctx, endpointKey) ?? ApplyRateLimit(ctx, endpointKey);
        if (result is null)
        {
            try
            {
                result = await handler(ctx);
            }
            catch (BadRequestException e)
            {
                result = Error(400, "VALIDATION_ERROR", e.Message);
            }
        }

        if (result.Status == 429)
        {
            Interlocked.Increment(ref counter.RateLimited);
        }

        if (result.Status < 300 && _holds.TryRemove(endpointKey, out var hold))
        {
            try
            {
                await hold.WaitForReleaseAsync(ctx.Request.Path, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client is gone: nobody to answer
            }
        }

        if (fault is not null && result.Status < 300 && Roll(fault.MalformedRate))
        {
            // The request took effect; only the response is broken, which is what makes this fault nasty.
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            var text = result.Body?.ToJsonString() ?? "{}";
            await ctx.Response.WriteAsync(text[..Math.Max(1, text.Length / 2)] + "\u0000{", ctx.RequestAborted);
            return;
        }

        await WriteAsync(ctx, result);
    };

    /// <summary>Maps the shared back-door endpoints: <c>POST/DELETE /_sim/faults</c>, <c>GET /_sim/stats</c>.</summary>
    private protected void MapFaultEndpoints(IEndpointRouteBuilder app)
    {
        app.MapPost("/_sim/faults", async ctx =>
        {
            var body = await ReadJsonObjectAsync(ctx);
            if (body is null)
            {
                await WriteAsync(ctx, SimError("body must be a JSON object"));
                return;
            }

            var key = Str(body, "endpoint") ?? "*";
            var spec = new FaultSpec
            {
                ServerErrorRate = Num(body, "error_rate"),
                RateLimitRate = Num(body, "rate_limit_rate"),
                DropRate = Num(body, "drop_rate"),
                MalformedRate = Num(body, "malformed_rate"),
                Delay = TimeSpan.FromMilliseconds(Num(body, "delay_ms")),
                DelayRate = body.ContainsKey("delay_rate") ? Num(body, "delay_rate") : 1,
                RetryAfterSeconds = body.ContainsKey("retry_after_seconds") ? (int)Num(body, "retry_after_seconds") : 1,
                Count = body.ContainsKey("count") ? (int)Num(body, "count") : null,
            };
            try
            {
                SetFault(key, spec);
            }
            catch (ArgumentException e)
            {
                await WriteAsync(ctx, SimError(e.Message));
                return;
            }

            await WriteAsync(ctx, new ApiResult(200, new JsonObject { ["ok"] = true, ["endpoint"] = key }));
        });
        app.MapDelete("/_sim/faults", async ctx =>
        {
            ClearFaults();
            await WriteAsync(ctx, new ApiResult(200, new JsonObject { ["ok"] = true }));
        });
        app.MapGet("/_sim/stats", async ctx =>
        {
            var o = new JsonObject();
            foreach (var (k, s) in Stats)
            {
                o[k] = new JsonObject { ["requests"] = s.Requests, ["rate_limited"] = s.RateLimited, ["server_errors"] = s.ServerErrors };
            }

            await WriteAsync(ctx, new ApiResult(200, o));
        });
    }

    private protected static ApiResult SimError(string message, int status = 400) =>
        new(status, new JsonObject { ["error"] = message });

    private protected static async Task WriteAsync(HttpContext ctx, ApiResult result)
    {
        ctx.Response.StatusCode = result.Status;
        foreach (var (k, v) in result.Headers)
        {
            ctx.Response.Headers[k] = v;
        }

        if (result.Body is not null)
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(result.Body.ToJsonString(), ctx.RequestAborted);
        }
    }

    /// <summary>Reads the body as a JSON object; null when it is not valid JSON or not an object.</summary>
    private protected static async Task<JsonObject?> ReadJsonObjectAsync(HttpContext ctx)
    {
        try
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(ctx.RequestAborted);
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads the raw body text (Cord validates and signs the exact text).</summary>
    private protected static async Task<string> ReadTextAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ctx.RequestAborted);
    }

    /// <summary>A request body must be sent as <c>application/json</c> (a charset parameter is fine); anything else is a 400.</summary>
    private protected static void RequireJsonContentType(HttpContext ctx)
    {
        var type = ctx.Request.ContentType;
        if (type is null || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media)
            || !string.Equals(media.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadRequestException($"Content-Type must be application/json (got '{type ?? "none"}')");
        }
    }

    private protected static string? Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private protected static double Num(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : 0;

    private protected static bool? Bool(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>Optional string field: absent or null is null; any other type is a validation error.</summary>
    private protected static string? OptionalString(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new BadRequestException($"{name} must be a string");
    }

    /// <summary>Required, non-empty string field.</summary>
    private protected static string RequiredString(JsonObject o, string name) =>
        OptionalString(o, name) is { Length: > 0 } s ? s : throw new BadRequestException($"{name} is required");

    private protected static bool? OptionalBool(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new BadRequestException($"{name} must be a boolean"),
        };
    }

    private protected static List<string>? OptionalStringArray(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonArray a || a.Any(x => x?.GetValueKind() != JsonValueKind.String))
        {
            throw new BadRequestException($"{name} must be an array of strings");
        }

        return a.Select(x => x!.GetValue<string>()).ToList();
    }

    private protected static string NewId(string prefix) => $"{prefix}{Guid.CreateVersion7():N}";

    private protected static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private bool Roll(double rate)
    {
        if (rate <= 0)
        {
            return false;
        }

        if (rate >= 1)
        {
            return true;
        }

        lock (_random)
        {
            return _random.NextDouble() < rate;
        }
    }

    private FaultSpec? TakeFault(string endpointKey)
    {
        foreach (var key in new[] { endpointKey, "*" })
        {
            if (_faults.TryGetValue(key, out var state))
            {
                if (state.Spec.Count is null)
                {
                    return state.Spec;
                }

                if (Interlocked.Decrement(ref state.Remaining) >= 0)
                {
                    return state.Spec;
                }

                _faults.TryRemove(new KeyValuePair<string, FaultState>(key, state));
            }
        }

        return null;
    }

    private sealed class FaultState(FaultSpec spec)
    {
        public FaultSpec Spec { get; } = spec;
        public int Remaining = spec.Count ?? int.MaxValue;
    }

    private sealed class Counter
    {
        public long Requests;
        public long RateLimited;
        public long ServerErrors;

        public EndpointStats Snapshot() => new(Interlocked.Read(ref Requests), Interlocked.Read(ref RateLimited), Interlocked.Read(ref ServerErrors));
    }
}

/// <summary>A response to write: status, JSON body, extra headers.</summary>
internal sealed record ApiResult(int Status, JsonNode? Body)
{
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A request body that fails validation; becomes a 400 in the system's error shape.</summary>
internal sealed class BadRequestException(string message) : Exception(message);
