using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Cord;

/// <summary>
/// Cord's change feed: <c>GET /v1/messages</c>, "all messages in the application" page by page with <c>token</c>
/// (api-docs 003). Cord documents no order and no time filter for it, so each read lists the whole application and
/// summarises every linked thread it sees: its latest time (created, edited or deleted) and a fingerprint of its messages
/// (ids, times and plain text, combined so that the list's order does not matter). A new message, an edit, a soft delete
/// and a hard delete (the message missing) each change the fingerprint, so the feed shows what the Pylon search cannot.
/// </summary>
public sealed class CordChangeFeed(CordClient client, IOptions<CordOptions> options) : IChangeFeed
{
    private readonly CordOptions _options = options.Value;

    public SystemId System => SystemId.Cord;

    public bool Fingerprints => true;

    public async Task<FeedRead> ReadAsync(DateTimeOffset since, IReadOnlySet<string> conversations, CancellationToken cancellationToken)
    {
        var threads = new Dictionary<string, ThreadDigest>(StringComparer.Ordinal);
        DateTimeOffset? serverTime = null;
        string? token = null;
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        for (var requests = 1; ; requests++)
        {
            var (page, date) = await client.ListAllMessagesAsync(_options.FeedPageSize, token, cancellationToken);
            serverTime ??= date;
            foreach (var message in page.Messages)
            {
                if (message.ThreadId is { } thread && conversations.Contains(thread))
                {
                    if (!threads.TryGetValue(thread, out var digest))
                    {
                        threads[thread] = digest = new ThreadDigest();
                    }

                    digest.Add(message);
                }
            }

            // "If empty, there are no more results" (PaginationDetails); a token handed back twice ends the read too.
            var next = page.Pagination?.Token;
            if (string.IsNullOrEmpty(next) || !seenTokens.Add(next))
            {
                return new FeedRead(Summaries(threads), serverTime, Complete: true, requests);
            }

            if (requests >= _options.FeedMaxPages)
            {
                return new FeedRead(Summaries(threads), serverTime, Complete: false, requests);
            }

            token = next;
        }
    }

    private static List<FeedActivity> Summaries(Dictionary<string, ThreadDigest> threads) =>
        [.. threads.Select(t => new FeedActivity(t.Key, t.Value.Latest, t.Value.Fingerprint))];

    private sealed class ThreadDigest
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        private ulong _sum;

        public DateTimeOffset? Latest { get; private set; }

        public string Fingerprint => $"{_ids.Count}:{_sum:x16}";

        public void Add(Models.CordMessageStamp message)
        {
            // A message listed twice (pages shifting under a read) counts once.
            if (!_ids.Add(message.Id))
            {
                return;
            }

            var text = string.Join('\u001f', message.Id, Stamp(message.CreatedTimestamp), Stamp(message.UpdatedTimestamp), Stamp(message.DeletedTimestamp), message.Plaintext ?? "");
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);

            // A sum of per-message hashes: the same set of messages gives the same value in any order.
            _sum = unchecked(_sum + BinaryPrimitives.ReadUInt64LittleEndian(hash));
            foreach (var at in new[] { message.CreatedTimestamp, message.UpdatedTimestamp, message.DeletedTimestamp })
            {
                if (at is { } t && (Latest is null || t > Latest))
                {
                    Latest = t;
                }
            }
        }

        private static string Stamp(DateTimeOffset? at) => at?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? "";
    }
}
