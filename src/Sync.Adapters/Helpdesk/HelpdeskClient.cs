using System.Globalization;
using MessageSync.Adapters.Helpdesk.Models;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Helpdesk;

/// <summary>Typed client for the helpdesk Messages API under <c>/helpdesk/api/messages</c> (api-docs 002).</summary>
public sealed class HelpdeskClient(HttpClient http, IOptions<HelpdeskOptions> options, TimeProvider? timeProvider = null)
{
    private const string Messages = "helpdesk/api/messages";
    private readonly ApiConnection _api = new(http, SystemId.Helpdesk, options.Value.MaxResponseBytes, timeProvider);
    private readonly int _pageSize = options.Value.PageSize;

    /// <summary>GET /helpdesk/api/messages?ticket_id=..&amp;page=..&amp;limit=..&amp;sort_order=asc (viewer role).</summary>
    public Task<HelpdeskMessageList> GetPageAsync(string ticketId, int page, CancellationToken cancellationToken) =>
        _api.SendAsync<HelpdeskMessageList>(
            new HttpRequestMessage(HttpMethod.Get,
                $"{Messages}?ticket_id={Uri.EscapeDataString(ticketId)}&page={page.ToString(CultureInfo.InvariantCulture)}&limit={_pageSize.ToString(CultureInfo.InvariantCulture)}&sort_order=asc")
                .WithEndpoint(HelpdeskOptions.Endpoints.List),
            cancellationToken);

    /// <summary>
    /// One page from <paramref name="cursor"/> (the adapter's cursor: the page number, null for page 1), every message
    /// seen once: a page the helpdesk repeats ends the read (<see cref="PageGuard"/>).
    /// </summary>
    public async Task<GuardedPage<HelpdeskMessage>> ReadPageAsync(string ticketId, string? cursor, CancellationToken cancellationToken)
    {
        var apiCursor = PageMark.Parse(cursor).ApiCursor;
        var page = 1;
        if (apiCursor is not null && (!int.TryParse(apiCursor, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            throw new LocalRefusalException(SystemId.Helpdesk, $"'{cursor}' is not a helpdesk page cursor.");
        }

        var list = await GetPageAsync(ticketId, page, cancellationToken);
        return PageGuard.Apply(cursor, list.Data, m => m.Id, (page + 1).ToString(CultureInfo.InvariantCulture), HasMore(list, page, _pageSize));
    }

    /// <summary>Every message of a ticket, oldest first, each once.</summary>
    public IAsyncEnumerable<HelpdeskMessage> ListAsync(string ticketId, CancellationToken cancellationToken = default) =>
        PageGuard.ReadAllAsync<HelpdeskMessage>((cursor, ct) => ReadPageAsync(ticketId, cursor, ct), cancellationToken);

    /// <summary>GET /helpdesk/api/messages/:messageId; null when there is none.</summary>
    public Task<HelpdeskMessage?> GetAsync(string messageId, CancellationToken cancellationToken) =>
        _api.SendOrNullAsync<HelpdeskMessage>(
            new HttpRequestMessage(HttpMethod.Get, $"{Messages}/{Uri.EscapeDataString(messageId)}").WithEndpoint(HelpdeskOptions.Endpoints.Retrieve),
            cancellationToken);

    /// <summary>POST /helpdesk/api/messages (agent role). Not retried on an ambiguous failure: the engine checks FindMirror first.</summary>
    public Task<HelpdeskMessage> CreateAsync(HelpdeskCreateMessageRequest body, CancellationToken cancellationToken) =>
        _api.SendAsync<HelpdeskMessage>(
            new HttpRequestMessage(HttpMethod.Post, Messages) { Content = ApiConnection.JsonBody(body) }.WithEndpoint(HelpdeskOptions.Endpoints.Create),
            cancellationToken);

    /// <summary>
    /// <c>has_more</c> when given; otherwise from <c>total</c>; otherwise a page shorter than the <c>limit</c> asked for
    /// (documented, api-docs 002) or an empty one ends the list. The answer's envelope is not documented, so none of
    /// <c>has_more</c>, <c>total</c> and <c>limit</c> is relied on.
    /// </summary>
    internal static bool HasMore(HelpdeskMessageList list, int page, int requested)
    {
        if (list.HasMore is { } more)
        {
            return more;
        }

        var size = list.Limit is > 0 ? list.Limit.Value : requested;
        return list.Total is { } total ? (long)page * size < total : list.Data.Count > 0 && list.Data.Count >= size;
    }
}
