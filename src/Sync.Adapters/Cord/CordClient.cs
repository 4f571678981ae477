using MessageSync.Adapters.Cord.Models;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Cord;

/// <summary>Typed client for Cord's REST messages API under <c>/v1</c> (api-docs 003 and README).</summary>
public sealed class CordClient(HttpClient http, IOptions<CordOptions> options, TimeProvider? timeProvider = null)
{
    private readonly ApiConnection _api = new(http, SystemId.Cord, options.Value.MaxResponseBytes, timeProvider);

    /// <summary>
    /// GET /v1/threads/{threadID}/messages: the whole thread as one JSON array of message objects, soft-deleted ones
    /// included (api-docs 003). <c>sortDirection</c> is the only parameter Cord documents (ListThreadMessageParameters);
    /// there is no paging. Each message is mapped as it is read, so only the mapped values are held.
    /// </summary>
    public Task<List<T>> ReadThreadAsync<T>(string threadId, string sortDirection, Func<CordMessage, T> map, CancellationToken cancellationToken) =>
        _api.SendForArrayAsync(
            new HttpRequestMessage(HttpMethod.Get, $"v1/threads/{Esc(threadId)}/messages?sortDirection={Uri.EscapeDataString(sortDirection)}")
                .WithEndpoint(CordOptions.Endpoints.List),
            map,
            cancellationToken);

    /// <summary>GET /v1/threads/{threadID}/messages/{messageID}; null when there is none.</summary>
    public Task<CordMessage?> GetAsync(string threadId, string messageId, CancellationToken cancellationToken) =>
        _api.SendOrNullAsync<CordMessage>(
            new HttpRequestMessage(HttpMethod.Get, $"v1/threads/{Esc(threadId)}/messages/{Esc(messageId)}").WithEndpoint(CordOptions.Endpoints.Get),
            cancellationToken);

    /// <summary>
    /// POST /v1/threads/{threadID}/messages. With a caller-chosen <c>id</c> a repeat cannot duplicate (Cord answers 409),
    /// so the create is marked idempotent and retried like a read. The answer's body is not read: seed 003 documents none
    /// for a write (Cord's public docs show a confirmation).
    /// </summary>
    public Task CreateAsync(string threadId, CordCreateMessageRequest body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"v1/threads/{Esc(threadId)}/messages") { Content = ApiConnection.JsonBody(body) }
            .WithEndpoint(CordOptions.Endpoints.Create);
        if (body.Id is not null)
        {
            request.MarkIdempotent();
        }

        return _api.SendAsync(request, cancellationToken);
    }

    /// <summary>PUT /v1/threads/{threadID}/messages/{messageID}: content, metadata, soft delete.</summary>
    public Task UpdateAsync(string threadId, string messageId, CordUpdateMessageRequest body, CancellationToken cancellationToken) =>
        _api.SendAsync(
            new HttpRequestMessage(HttpMethod.Put, $"v1/threads/{Esc(threadId)}/messages/{Esc(messageId)}") { Content = ApiConnection.JsonBody(body) }
                .WithEndpoint(CordOptions.Endpoints.Update),
            cancellationToken);

    /// <summary>DELETE /v1/threads/{threadID}/messages/{messageID}: removed for good.</summary>
    public Task DeleteAsync(string threadId, string messageId, CancellationToken cancellationToken) =>
        _api.SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, $"v1/threads/{Esc(threadId)}/messages/{Esc(messageId)}").WithEndpoint(CordOptions.Endpoints.Delete),
            cancellationToken);

    private static string Esc(string value) => Uri.EscapeDataString(value);
}
