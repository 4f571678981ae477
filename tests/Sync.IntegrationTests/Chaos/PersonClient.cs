using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MessageSync.Simulators;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// A person editing, redacting and deleting through the public APIs (Pylon, Cord), as they would in the product's UI.
/// Injected faults hit these calls too, so each call is retried like a patient person would; every action here is
/// idempotent, so a retry after a lost answer does no harm. Each method says whether the action took effect: false when
/// the message is not there (404), e.g. a copy the worker deleted meanwhile.
/// </summary>
public sealed class PersonClient : IDisposable
{
    private const int Attempts = 12;
    private readonly SimulatorHost _sims;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private long _writesSent;

    public PersonClient(SimulatorHost sims) => _sims = sims;

    /// <summary>Write requests (POST, PUT, DELETE) sent so far, retries included: the simulators count them beside the worker's.</summary>
    public long WritesSent => Interlocked.Read(ref _writesSent);

    /// <summary>Pylon <c>POST /issues/{id}/messages/{message_id}/redact</c> (api-docs 000).</summary>
    public Task<bool> PylonRedactAsync(string issue, string messageId, CancellationToken cancellationToken) =>
        SendAsync(() => Pylon(HttpMethod.Post, $"issues/{issue}/messages/{messageId}/redact"), cancellationToken);

    /// <summary>Pylon <c>DELETE /issues/{id}/messages/{message_id}</c>.</summary>
    public Task<bool> PylonDeleteAsync(string issue, string messageId, CancellationToken cancellationToken) =>
        SendAsync(() => Pylon(HttpMethod.Delete, $"issues/{issue}/messages/{messageId}"), cancellationToken);

    /// <summary>Cord <c>PUT /v1/threads/{threadID}/messages/{messageID}</c> with new content: one paragraph of <paramref name="text"/>.</summary>
    public Task<bool> CordEditAsync(string thread, string messageId, string text, CancellationToken cancellationToken) =>
        CordPutAsync(thread, messageId, new JsonObject { ["content"] = Paragraph(text) }, cancellationToken);

    /// <summary>
    /// Cord has no redaction: a person replaces the content with "[redacted]" and removes the files, the form the worker
    /// reads as a redaction (its own redactions write the same).
    /// </summary>
    public async Task<bool> CordRedactAsync(string thread, string messageId, CancellationToken cancellationToken)
    {
        var files = new JsonArray();
        var current = await GetJsonAsync(() => Cord(HttpMethod.Get, $"v1/threads/{thread}/messages/{messageId}"), cancellationToken);
        if (current is null)
        {
            return false;
        }

        foreach (var a in (current["attachments"] as JsonArray ?? []).OfType<JsonObject>().Where(a => (string?)a["type"] == "file"))
        {
            files.Add(new JsonObject { ["type"] = "file", ["id"] = (string?)a["id"] });
        }

        var body = new JsonObject { ["content"] = Paragraph("[redacted]") };
        if (files.Count > 0)
        {
            body["removeAttachments"] = files;
        }

        return await CordPutAsync(thread, messageId, body, cancellationToken);
    }

    /// <summary>Cord soft delete: <c>PUT</c> with <c>deleted: true</c>.</summary>
    public Task<bool> CordSoftDeleteAsync(string thread, string messageId, CancellationToken cancellationToken) =>
        CordPutAsync(thread, messageId, new JsonObject { ["deleted"] = true }, cancellationToken);

    /// <summary>Cord hard delete: <c>DELETE /v1/threads/{threadID}/messages/{messageID}</c>.</summary>
    public Task<bool> CordHardDeleteAsync(string thread, string messageId, CancellationToken cancellationToken) =>
        SendAsync(() => Cord(HttpMethod.Delete, $"v1/threads/{thread}/messages/{messageId}"), cancellationToken);

    private Task<bool> CordPutAsync(string thread, string messageId, JsonObject body, CancellationToken cancellationToken) =>
        SendAsync(() =>
        {
            var request = Cord(HttpMethod.Put, $"v1/threads/{thread}/messages/{messageId}");
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            return request;
        }, cancellationToken);

    private static JsonArray Paragraph(string text) =>
        [new JsonObject { ["type"] = "p", ["children"] = new JsonArray(new JsonObject { ["text"] = text }) }];

    private HttpRequestMessage Pylon(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(_sims.PylonUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SimulatorDefaults.PylonToken);
        return request;
    }

    private HttpRequestMessage Cord(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(_sims.CordUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _sims.MintCordToken());
        return request;
    }

    /// <summary>A GET's JSON body, retried like any call; null on 404.</summary>
    private async Task<JsonObject?> GetJsonAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        JsonObject? body = null;
        var found = await SendAsync(build, cancellationToken, async response =>
        {
            try
            {
                body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                body = null; // an injected malformed answer: ask again
            }

            return body is not null;
        });
        return found ? body : null;
    }

    /// <summary>
    /// 2xx (whatever the body: an injected malformed body comes after the effect) is done; 404 is "not there"; 5xx, 429
    /// (after its Retry-After), a dropped connection and a timeout are tried again.
    /// </summary>
    private async Task<bool> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken, Func<HttpResponseMessage, Task<bool>>? accept = null)
    {
        var last = "";
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var wait = TimeSpan.FromMilliseconds(100 * attempt);
            try
            {
                using var request = build();
                if (request.Method != HttpMethod.Get)
                {
                    Interlocked.Increment(ref _writesSent);
                }

                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode && (accept is null || await accept(response)))
                {
                    return true;
                }

                if (response.IsSuccessStatusCode)
                {
                    last = "an unreadable answer";
                    await Task.Delay(wait, cancellationToken);
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
                if ((int)response.StatusCode is not (429 or >= 500))
                {
                    throw new InvalidOperationException($"{request.Method} {request.RequestUri} was refused: {last}");
                }

                wait = response.Headers.RetryAfter?.Delta ?? wait;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = e.Message;
            }

            await Task.Delay(wait, cancellationToken);
        }

        throw new InvalidOperationException($"A person's API call failed {Attempts} times: {last}");
    }

    public void Dispose() => _http.Dispose();
}
