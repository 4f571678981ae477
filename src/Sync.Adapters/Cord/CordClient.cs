using System.Globalization;
using System.Runtime.CompilerServices;
using MessageSync.Adapters.Cord.Models;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Cord;

/// <summary>Typed client for Cord's REST messages API under <c>/v1</c> (api-docs 003 and README).</summary>
public sealed class CordClient(HttpClient http, IOptions<CordOptions> options, TimeProvider? timeProvider = null)
{
    private readonly ApiConnection _api = new(http, SystemId.Cord, options.Value.MaxResponseBytes, timeProvider);
    private readonly int _pageSize = options.Value.PageSize;

    /// <summary>GET /v1/threads/{threadID}/messages, oldest first, paged with <c>limit</c> and <c>token</c>.</summary>
    public Task<CordMessageList> GetThreadPageAsync(string threadId, string? token, CancellationToken cancellationToken)
    {
        var path = $"v1/threads/{Esc(threadId)}/messages?sortDirection=ascending&limit={_pageSize.ToString(CultureInfo.InvariantCulture)}"
            + (string.IsNullOrEmpty(token) ? "" : "&token=" + Uri.EscapeDataString(token));
        return _api.SendAsync<CordMessageList>(new HttpRequestMessage(HttpMethod.Get, path).WithEndpoint(CordOptions.Endpoints.List), cancellationToken);
    }

    /// <summary>Every message of a thread (soft-deleted ones included, with <c>deletedTimestamp</c>).</summary>
    public async IAsyncEnumerable<CordMessage> ListThreadAsync(string threadId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        while (true)
        {
            var page = await GetThreadPageAsync(threadId, token, cancellationToken);
            foreach (var message in page.Messages)
            {
                yield return message;
            }

            var next = page.Pagination?.Token;
            if (string.IsNullOrEmpty(next) || next == token)
            {
                yield break;
            }

            token = next;
        }
    }

    /// <summary>GET /v1/threads/{threadID}/messages/{messageID}; null when there is none.</summary>
    public Task<CordMessage?> GetAsync(string threadId, string messageId, CancellationToken cancellationToken) =>
        _api.SendOrNullAsync<CordMessage>(
            new HttpRequestMessage(HttpMethod.Get, $"v1/threads/{Esc(threadId)}/messages/{Esc(messageId)}").WithEndpoint(CordOptions.Endpoints.Get),
            cancellationToken);

    /// <summary>
    /// POST /v1/threads/{threadID}/messages. With a caller-chosen <c>id</c> a repeat cannot duplicate (Cord answers 409),
    /// so the create is marked idempotent and retried like a read.
    /// </summary>
    public Task<CordWriteResponse> CreateAsync(string threadId, CordCreateMessageRequest body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"v1/threads/{Esc(threadId)}/messages") { Content = ApiConnection.JsonBody(body) }
            .WithEndpoint(CordOptions.Endpoints.Create);
        if (body.Id is not null)
        {
            request.MarkIdempotent();
        }

        return _api.SendAsync<CordWriteResponse>(request, cancellationToken);
    }

    /// <summary>PUT /v1/threads/{threadID}/messages/{messageID}: content, metadata, soft delete.</summary>
    public Task<CordWriteResponse> UpdateAsync(string threadId, string messageId, CordUpdateMessageRequest body, CancellationToken cancellationToken) =>
        _api.SendAsync<CordWriteResponse>(
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
