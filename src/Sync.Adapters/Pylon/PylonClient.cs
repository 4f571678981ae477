using System.Globalization;
using MessageSync.Adapters.Http;
using MessageSync.Adapters.Pylon.Models;
using MessageSync.Core.Model;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Pylon;

/// <summary>
/// Typed client for Pylon's Messages endpoints (api-docs 000/001). Auth, budgets, retries and logging are the
/// handlers' business (see <see cref="PylonServiceCollectionExtensions"/>); this class only builds requests.
/// </summary>
public sealed class PylonClient(HttpClient http, IOptions<PylonOptions> options, TimeProvider? timeProvider = null)
{
    private readonly ApiConnection _api = new(http, SystemId.Pylon, options.Value.MaxResponseBytes, timeProvider);
    private readonly int _pageSize = options.Value.PageSize;

    /// <summary>
    /// GET /issues/{id}/messages, one page as the API answers it. api-docs 001 documents no query parameter for this
    /// operation, only <c>pagination.cursor</c> and <c>has_next_page</c> in the answer. Two undocumented parameters are
    /// sent because each is harmless when ignored: <c>cursor</c> (the answer's cursor sent back; if Pylon ignores it,
    /// <see cref="PageGuard"/> sees the first page again and ends the read) and <c>limit</c>, only when
    /// <see cref="PylonOptions.PageSize"/> is set (if ignored, pages are just Pylon's own size).
    /// </summary>
    public Task<PylonMessagesResponse> GetMessagesPageAsync(string issueId, string? apiCursor, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (_pageSize > 0)
        {
            query.Add("limit=" + _pageSize.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(apiCursor))
        {
            query.Add("cursor=" + Uri.EscapeDataString(apiCursor));
        }

        var path = $"issues/{Esc(issueId)}/messages" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        return _api.SendAsync<PylonMessagesResponse>(new HttpRequestMessage(HttpMethod.Get, path).WithEndpoint(PylonOptions.Endpoints.ListMessages), cancellationToken);
    }

    /// <summary>
    /// One page from <paramref name="cursor"/> (the adapter's cursor, null for the start), every message seen once: a
    /// page the API repeats ends the read (<see cref="PageGuard"/>); an answer without <c>pagination</c> is the last page.
    /// </summary>
    public async Task<GuardedPage<PylonMessage>> ReadPageAsync(string issueId, string? cursor, CancellationToken cancellationToken)
    {
        var page = await GetMessagesPageAsync(issueId, PageMark.Parse(cursor).ApiCursor, cancellationToken);
        return PageGuard.Apply(cursor, page.Data, m => m.Id, page.Pagination?.Cursor, page.Pagination?.HasNextPage == true);
    }

    /// <summary>Every message of an issue, page by page, each once.</summary>
    public IAsyncEnumerable<PylonMessage> ListMessagesAsync(string issueId, CancellationToken cancellationToken = default) =>
        PageGuard.ReadAllAsync<PylonMessage>((cursor, ct) => ReadPageAsync(issueId, cursor, ct), cancellationToken);

    /// <summary>GET /issues/{id}/threads.</summary>
    public async Task<IReadOnlyList<PylonIssueThread>> ListThreadsAsync(string issueId, CancellationToken cancellationToken) =>
        (await _api.SendAsync<PylonThreadsResponse>(
            new HttpRequestMessage(HttpMethod.Get, $"issues/{Esc(issueId)}/threads").WithEndpoint(PylonOptions.Endpoints.ListThreads),
            cancellationToken)).Data;

    /// <summary>POST /issues/{id}/threads. Not idempotent: a second call makes a second thread.</summary>
    public async Task<PylonIssueThread> CreateThreadAsync(string issueId, string name, CancellationToken cancellationToken) =>
        (await _api.SendAsync<PylonCreateThreadResponse>(
            new HttpRequestMessage(HttpMethod.Post, $"issues/{Esc(issueId)}/threads")
            {
                Content = ApiConnection.JsonBody(new PylonCreateThreadRequest { Name = name }),
            }.WithEndpoint(PylonOptions.Endpoints.CreateThread),
            cancellationToken)).Data;

    /// <summary>POST /issues/{id}/reply: customer-facing. Never retried on an ambiguous failure (it would reach the customer twice).</summary>
    public async Task<PylonCreatedMessage> ReplyAsync(string issueId, PylonReplyRequest body, CancellationToken cancellationToken) =>
        (await _api.SendAsync<PylonCreatedMessageResponse>(
            new HttpRequestMessage(HttpMethod.Post, $"issues/{Esc(issueId)}/reply") { Content = ApiConnection.JsonBody(body) }
                .WithEndpoint(PylonOptions.Endpoints.Reply),
            cancellationToken)).Data;

    /// <summary>POST /issues/{id}/note: internal. Not retried on an ambiguous failure (the engine checks FindMirror first).</summary>
    public async Task<PylonCreatedMessage> NoteAsync(string issueId, PylonNoteRequest body, CancellationToken cancellationToken) =>
        (await _api.SendAsync<PylonCreatedMessageResponse>(
            new HttpRequestMessage(HttpMethod.Post, $"issues/{Esc(issueId)}/note") { Content = ApiConnection.JsonBody(body) }
                .WithEndpoint(PylonOptions.Endpoints.Note),
            cancellationToken)).Data;

    /// <summary>POST /issues/{id}/messages/{message_id}/redact. Redacting twice leaves the same result, so it may be retried.</summary>
    public Task<PylonRedactResponse> RedactAsync(string issueId, string messageId, CancellationToken cancellationToken) =>
        _api.SendAsync<PylonRedactResponse>(
            new HttpRequestMessage(HttpMethod.Post, $"issues/{Esc(issueId)}/messages/{Esc(messageId)}/redact")
                .WithEndpoint(PylonOptions.Endpoints.Redact).MarkIdempotent(),
            cancellationToken);

    /// <summary>DELETE /issues/{id}/messages/{message_id}: permanent.</summary>
    public Task DeleteAsync(string issueId, string messageId, CancellationToken cancellationToken) =>
        _api.SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, $"issues/{Esc(issueId)}/messages/{Esc(messageId)}").WithEndpoint(PylonOptions.Endpoints.Delete),
            cancellationToken);

    private static string Esc(string value) => Uri.EscapeDataString(value);
}
