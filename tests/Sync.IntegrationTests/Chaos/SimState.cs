using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MessageSync.Core.Model;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// One stored message in one simulator, as <c>GET /_sim/state</c> shows it (deleted, redacted and hard-deleted ones
/// included): what a person could read in it, where it sits and whether it reached the customer.
/// </summary>
/// <param name="Conversation">The Pylon issue, helpdesk ticket or Cord thread.</param>
/// <param name="Text">Everything readable: the stored body, plain text, file names and URLs.</param>
/// <param name="Private">Pylon: a private note; helpdesk: a note. Cord has no per-message visibility (the link decides).</param>
/// <param name="Live">Not deleted (Pylon delete, Cord soft or hard delete). A helpdesk message is always live.</param>
/// <param name="ReachedCustomer">Pylon: a reply written by an agent (is_private false, no contact author); helpdesk: e-mailed.</param>
/// <param name="EditNote">An "Edited in ..." note the worker appended for an edit it could not make in place.</param>
/// <param name="Place">How a person would name it, for the report.</param>
public sealed record SimCopy(
    SystemId System, string Conversation, string ExternalId, string Text, bool Private, bool Live, bool ReachedCustomer, bool EditNote, string Place)
{
    public IReadOnlyList<string> Tokens { get; } = Ledger.TokensIn(Text).Distinct(StringComparer.Ordinal).ToList();

    public override string ToString() => $"{System} {Conversation}/{ExternalId} ({Place})";
}

/// <summary>The three simulators' stored state at one moment, indexed by the workload's message ids.</summary>
public sealed partial class SimState
{
    private readonly Dictionary<string, List<SimCopy>> _byMessage = new(StringComparer.Ordinal);

    private SimState(IReadOnlyList<SimCopy> copies, JsonObject pylonStats)
    {
        Copies = copies;
        PylonStats = pylonStats;
        foreach (var copy in copies)
        {
            foreach (var id in copy.Tokens.Select(Ledger.MessageIdOf).Distinct(StringComparer.Ordinal))
            {
                if (!_byMessage.TryGetValue(id, out var list))
                {
                    _byMessage[id] = list = [];
                }

                list.Add(copy);
            }
        }

        Fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', copies.Select(c => $"{c.System}|{c.ExternalId}|{c.Live}|{c.Text}")))));
    }

    public IReadOnlyList<SimCopy> Copies { get; }

    /// <summary>Changes whenever any stored message appears, changes or goes.</summary>
    public string Fingerprint { get; }

    /// <summary>Pylon's <c>/_sim/stats</c>: requests, 429s and 500s per endpoint.</summary>
    public JsonObject PylonStats { get; }

    /// <summary>Every copy (original, mirror or edit note) that shows any token of the message.</summary>
    public IReadOnlyList<SimCopy> CopiesOf(string messageId) => _byMessage.TryGetValue(messageId, out var list) ? list : [];

    /// <summary>Total 429 answers Pylon gave (limits hit and injected ones alike).</summary>
    public long PylonRateLimited => PylonStats.Select(kv => kv.Value?["rate_limited"]?.GetValue<long>() ?? 0).Sum();

    public static async Task<SimState> ReadAsync(Uri pylon, Uri helpdesk, Uri cord, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        async Task<JsonObject> Get(Uri baseUrl, string path) =>
            JsonNode.Parse(await http.GetStringAsync(new Uri(baseUrl, path), cancellationToken)) as JsonObject
            ?? throw new InvalidOperationException($"{baseUrl}{path} did not answer a JSON object");

        var copies = new List<SimCopy>();
        copies.AddRange(PylonCopies(await Get(pylon, "_sim/state")));
        copies.AddRange(HelpdeskCopies(await Get(helpdesk, "_sim/state")));
        copies.AddRange(CordCopies(await Get(cord, "_sim/state")));
        return new SimState(copies, await Get(pylon, "_sim/stats"));
    }

    private static IEnumerable<SimCopy> PylonCopies(JsonObject state)
    {
        foreach (var issue in Array(state, "issues"))
        {
            foreach (var m in Array(issue, "messages"))
            {
                var html = Str(m, "body_html");
                var isPrivate = Bool(m, "is_private");
                var reached = Bool(m, "reached_customer");
                var place = isPrivate ? "private note" : reached ? "reply that reached the customer" : "reply as the contact";
                var text = html + " " + string.Join(' ', (m["file_urls"] as JsonArray ?? []).Select(f => f?.GetValue<string>()));
                yield return new SimCopy(SystemId.Pylon, Str(issue, "id"), Str(m, "id"), text, isPrivate, !Bool(m, "deleted"), reached, IsEditNote(html),
                    place + (Bool(m, "deleted") ? ", deleted" : "") + (Bool(m, "redacted") ? ", redacted" : ""));
            }
        }
    }

    private static IEnumerable<SimCopy> HelpdeskCopies(JsonObject state)
    {
        foreach (var ticket in Array(state, "tickets"))
        {
            foreach (var m in Array(ticket, "messages"))
            {
                var content = Str(m, "content");
                var type = Str(m, "type");
                var emailed = Bool(m, "email_sent");
                var files = string.Join(' ', Array(m, "attachments").Select(a => Str(a, "name") + " " + Str(a, "token")));
                yield return new SimCopy(SystemId.Helpdesk, Str(ticket, "id"), Str(m, "id"), $"{content} {Str(m, "textContent")} {files}",
                    type == "note", true, emailed, IsEditNote(content), type + (emailed ? ", e-mailed" : ""));
            }
        }
    }

    private static IEnumerable<SimCopy> CordCopies(JsonObject state)
    {
        foreach (var thread in Array(state, "threads"))
        {
            foreach (var m in Array(thread, "messages"))
            {
                var hard = Bool(m, "hard_deleted");
                var soft = m["deletedTimestamp"] is not null;
                var files = string.Join(' ', Array(m, "attachments").Select(a => Str(a, "name") + " " + Str(a, "url")));
                var text = $"{m["content"]?.ToJsonString()} {Str(m, "plaintext")} {files}";
                yield return new SimCopy(SystemId.Cord, Str(thread, "id"), Str(m, "id"), text, false, !hard && !soft, false, IsEditNote(Str(m, "plaintext")),
                    "message" + (hard ? ", hard-deleted" : soft ? ", deleted" : ""));
            }
        }
    }

    /// <summary>The label the worker puts first in an edit note ("Edited in Cord"; Router's AppendNote label).</summary>
    private static bool IsEditNote(string html) => EditLabel().IsMatch(Tags().Replace(html, " "));

    private static IEnumerable<JsonObject> Array(JsonNode node, string name) => (node[name] as JsonArray ?? []).OfType<JsonObject>();

    private static string Str(JsonNode node, string name) => node[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static bool Bool(JsonNode node, string name) => node[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    [GeneratedRegex(@"^\s*Edited in \w+")]
    private static partial Regex EditLabel();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();
}
