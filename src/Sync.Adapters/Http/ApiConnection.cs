using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using Polly.Timeout;

namespace MessageSync.Adapters.Http;

/// <summary>
/// Sends one request through a typed client's handler pipeline and turns everything that can go wrong into the Core
/// exception family: transport failures, error statuses (through <see cref="ApiErrorTable"/>), bodies over the size
/// cap, malformed JSON and missing required fields. The clients build requests; this class owns the reading.
/// </summary>
public sealed class ApiConnection(HttpClient http, SystemId system, long maxResponseBytes, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Shared by every client: exact wire names come from [JsonPropertyName]; nulls are left out of requests.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = false,
    };

    public SystemId System => system;

    public static HttpContent JsonBody<T>(T body) => JsonContent.Create(body, options: Json);

    /// <summary>Sends and reads a JSON body of <typeparamref name="T"/>.</summary>
    public async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
        where T : class
    {
        var (status, body) = await SendRawAsync(request, allowNotFound: false, cancellationToken);
        return Deserialize<T>(body, status, request);
    }

    /// <summary>
    /// Sends and reads a JSON body of <typeparamref name="T"/>, with the server's clock at the answer (its <c>Date</c>
    /// header, RFC 9110 section 6.6.1; null when absent): a change feed's next window is computed on the system's clock,
    /// never ours.
    /// </summary>
    public async Task<(T Body, DateTimeOffset? ServerTime)> SendDatedAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
        where T : class
    {
        using (request)
        {
            using var response = await SendCheckedAsync(request, allowNotFound: false, cancellationToken);
            var body = await ReadBodyAsync(response, cancellationToken);
            return (Deserialize<T>(body, response.StatusCode, request), response.Headers.Date);
        }
    }

    /// <summary>Sends and reads a JSON body, or returns null on 404 (a lookup that may find nothing).</summary>
    public async Task<T?> SendOrNullAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
        where T : class
    {
        var (status, body) = await SendRawAsync(request, allowNotFound: true, cancellationToken);
        return status == HttpStatusCode.NotFound ? null : Deserialize<T>(body, status, request);
    }

    /// <summary>Sends a request whose response body is not needed.</summary>
    public async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        await SendRawAsync(request, allowNotFound: false, cancellationToken);

    /// <summary>
    /// Sends and reads a JSON array element by element, mapping each as it arrives: only the mapped values are held, never
    /// the whole body or every wire object at once (a Cord thread comes as one array, api-docs 003).
    /// </summary>
    public async Task<List<TResult>> SendForArrayAsync<T, TResult>(HttpRequestMessage request, Func<T, TResult> map, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(map);
        using (request)
        {
            using var response = await SendCheckedAsync(request, allowNotFound: false, cancellationToken);
            if (response.Content.Headers.ContentLength is { } declared && declared > maxResponseBytes)
            {
                throw TooLarge(response.StatusCode, declared);
            }

            var results = new List<TResult>();
            try
            {
                await using var body = new BoundedStream(await response.Content.ReadAsStreamAsync(cancellationToken), maxResponseBytes);
                await foreach (var item in JsonSerializer.DeserializeAsyncEnumerable<T>(body, Json, cancellationToken))
                {
                    results.Add(map(item ?? throw new JsonException("the array holds a null element")));
                }
            }
            catch (BoundedStream.LimitExceededException ex)
            {
                throw TooLarge(response.StatusCode, ex.Size);
            }
            catch (JsonException ex)
            {
                throw Malformed(response.StatusCode, request, ex);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
            {
                throw new TransientApiException(system, $"{system}: connection lost while reading the response: {ex.Message}", ex);
            }

            return results;
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> SendRawAsync(HttpRequestMessage request, bool allowNotFound, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await SendCheckedAsync(request, allowNotFound, cancellationToken);
            return (response.StatusCode, await ReadBodyAsync(response, cancellationToken));
        }
    }

    /// <summary>
    /// Sends; a transport failure becomes transient, and an error status (except an allowed 404) is read and thrown
    /// through <see cref="ApiErrorTable"/>. The caller reads and disposes the successful response.
    /// </summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, bool allowNotFound, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or IOException or OperationCanceledException)
        {
            throw new TransientApiException(system, $"{system} {request.Method} {LoggingHandler.MaskedPathAndQuery(request.RequestUri)}: {Describe(ex)}", ex);
        }

        if (response.IsSuccessStatusCode || (allowNotFound && response.StatusCode == HttpStatusCode.NotFound))
        {
            return response;
        }

        using (response)
        {
            var body = await ReadBodyAsync(response, cancellationToken);
            throw ApiErrorTable.FromResponse(system, response.StatusCode, Encoding.UTF8.GetString(body),
                ResilienceHandler.RetryAfterOf(response, _time.GetUtcNow()));
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBoundedAsync(response, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            throw new TransientApiException(system, $"{system}: connection lost while reading the response: {ex.Message}", ex);
        }
    }

    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > maxResponseBytes)
        {
            throw TooLarge(response.StatusCode, declared);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxResponseBytes)
            {
                throw TooLarge(response.StatusCode, buffer.Length + read);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private PermanentApiException TooLarge(HttpStatusCode status, long size) =>
        new(system, (int)status, $"{system}: response body of {size}+ bytes exceeds the {maxResponseBytes}-byte limit (MaxResponseBytes)");

    private T Deserialize<T>(byte[] body, HttpStatusCode status, HttpRequestMessage request)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(body, Json);
            return value ?? throw new JsonException("the body is JSON null");
        }
        catch (JsonException ex)
        {
            throw Malformed(status, request, ex);
        }
    }

    // Core: malformed bodies are transient (a proxy's error page, a half-written response); the reason says which field.
    private TransientApiException Malformed(HttpStatusCode status, HttpRequestMessage request, JsonException ex) =>
        new(system, $"{system} {request.Method} {LoggingHandler.MaskedPathAndQuery(request.RequestUri)} returned {(int)status} with a malformed body: {ex.Message}", ex);

    private static string Describe(Exception ex) => ex switch
    {
        TimeoutRejectedException => "the attempt timed out",
        OperationCanceledException => "the request timed out",
        _ => ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})",
    };

    /// <summary>A read-only view of a response body that throws once more than <c>limit</c> bytes have been read.</summary>
    private sealed class BoundedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new LimitExceededException(_read) : read;
        }

        public sealed class LimitExceededException(long size) : IOException($"response body exceeds {size} bytes")
        {
            public long Size { get; } = size;
        }
    }
}
