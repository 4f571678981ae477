using System.Globalization;
using MessageSync.Adapters.Pylon.Models;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Pylon;

/// <summary>
/// Pylon's change feed: <c>POST /issues/search</c> filtered on <c>latest_message_activity_at</c> or <c>updated_at</c>
/// <c>time_is_after</c> (contracts/pylon-openapi.json, <c>SearchIssues</c>: both fields take <c>time_is_after</c>; "Rate
/// limit: 20 requests per minute"). One request names every issue with activity since a time, out of any number of
/// linked issues. What the search cannot show, because neither time is documented to move with it (a redaction, a
/// deletion), is left to the per-issue poll and its periodic full scan.
/// </summary>
public sealed class PylonChangeFeed(PylonClient client, IOptions<PylonOptions> options) : IChangeFeed
{
    private readonly PylonOptions _options = options.Value;

    public SystemId System => SystemId.Pylon;

    public bool Fingerprints => false;

    public async Task<FeedRead> ReadAsync(DateTimeOffset since, IReadOnlySet<string> conversations, CancellationToken cancellationToken)
    {
        // RFC 3339 to the second, rounded down: the window only ever grows by the rounding.
        var after = since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var filter = new PylonFilter
        {
            Field = "",
            Operator = "or",
            Subfilters =
            [
                new PylonFilter { Field = "latest_message_activity_at", Operator = "time_is_after", Value = after },
                new PylonFilter { Field = "updated_at", Operator = "time_is_after", Value = after },
            ],
        };

        var found = new Dictionary<string, FeedActivity>(StringComparer.Ordinal);
        DateTimeOffset? serverTime = null;
        string? cursor = null;
        var seenCursors = new HashSet<string>(StringComparer.Ordinal);
        for (var requests = 1; ; requests++)
        {
            var (page, date) = await client.SearchIssuesAsync(new PylonSearchIssuesRequest { Filter = filter, Limit = _options.SearchPageSize, Cursor = cursor }, cancellationToken);

            // The first answer's clock: every later page was computed after it, so nothing before it is missed next time.
            serverTime ??= date;
            foreach (var issue in page.Data ?? [])
            {
                if (conversations.Contains(issue.Id))
                {
                    var at = Latest(Parse(issue.LatestMessageTime), Parse(issue.UpdatedAt));
                    found[issue.Id] = found.TryGetValue(issue.Id, out var earlier) ? earlier with { LatestActivity = Latest(earlier.LatestActivity, at) } : new FeedActivity(issue.Id, at);
                }
            }

            var next = page.Pagination is { HasNextPage: true, Cursor: { Length: > 0 } c } ? c : null;
            if (next is null || !seenCursors.Add(next))
            {
                return new FeedRead([.. found.Values], serverTime, Complete: true, requests);
            }

            if (requests >= _options.SearchMaxPages)
            {
                return new FeedRead([.. found.Values], serverTime, Complete: false, requests);
            }

            cursor = next;
        }
    }

    private static DateTimeOffset? Parse(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
