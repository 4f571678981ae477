namespace MessageSync.Adapters.Http;

/// <summary>
/// Per-request facts the clients attach for the handlers in <c>Http/</c>: which budget a call draws on and
/// whether it may be sent twice. Carried in <see cref="HttpRequestMessage.Options"/> so the handlers stay generic.
/// </summary>
public static class SyncRequest
{
    /// <summary>The endpoint class (budget) of a call, e.g. <c>list-messages</c>.</summary>
    public static readonly HttpRequestOptionsKey<string> EndpointClass = new("MessageSync.EndpointClass");

    /// <summary>
    /// True when sending the request twice has the effect of sending it once. GET, PUT and DELETE are idempotent by
    /// method; a POST is only when its client says so (Cord create with a caller-chosen id, Pylon redact).
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("MessageSync.Idempotent");

    public static HttpRequestMessage WithEndpoint(this HttpRequestMessage request, string endpointClass)
    {
        request.Options.Set(EndpointClass, endpointClass);
        return request;
    }

    public static HttpRequestMessage MarkIdempotent(this HttpRequestMessage request)
    {
        request.Options.Set(Idempotent, true);
        return request;
    }

    public static string GetEndpointClass(this HttpRequestMessage request) =>
        request.Options.TryGetValue(EndpointClass, out var value) ? value : "default";

    public static bool IsIdempotent(this HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(Idempotent, out var marked))
        {
            return marked;
        }

        return request.Method == HttpMethod.Get || request.Method == HttpMethod.Put
            || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Head;
    }
}
