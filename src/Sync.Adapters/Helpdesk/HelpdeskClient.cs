using System.Globalization;
using System.Runtime.CompilerServices;
using MessageSync.Adapters.Helpdesk.Models;
using MessageSync.Adapters.Http;
using MessageSync.Core.Model;
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

    /// <summary>Every message of a ticket, oldest first.</summary>
    public async IAsyncEnumerable<HelpdeskMessage> ListAsync(string ticketId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var page = 1; ; page++)
        {
            var list = await GetPageAsync(ticketId, page, cancellationToken);
            foreach (var message in list.Data)
            {
                yield return message;
            }

            if (!HasMore(list, page, _pageSize))
            {
                yield break;
            }
        }
    }

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

    /// <summary><c>has_more</c> when given; otherwise from <c>total</c>, and last a short page ends the list.</summary>
    internal static bool HasMore(HelpdeskMessageList list, int page, int pageSize) =>
        list.HasMore ?? (list.Total is { } total ? (long)page * (list.Limit ?? pageSize) < total : list.Data.Count >= pageSize);
}
