using System.Diagnostics;
using MessageSync.Core.Model;
using Microsoft.Extensions.Logging;

namespace MessageSync.Adapters.Http;

/// <summary>
/// One log line per attempt: method, path, status, duration. Never the Authorization header, never a secret query
/// value: the query string is logged with the values of credential-like keys masked.
/// </summary>
public sealed partial class LoggingHandler(SystemId system, ILogger<LoggingHandler> logger) : DelegatingHandler
{
    private static readonly string[] SecretKeys = ["token", "access_token", "key", "api_key", "apikey", "secret", "signature", "sig", "password", "auth", "jwt", "session"];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var path = MaskedPathAndQuery(request.RequestUri);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var status = (int)response.StatusCode;
            var method = request.Method.Method;
            LogResponse(logger, system, method, path, status, elapsed);
            return response;
        }
        catch (Exception ex)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var error = ex.GetType().Name;
            var method = request.Method.Method;
            LogFailure(logger, system, method, path, error, elapsed);
            throw;
        }
    }

    /// <summary>The path and query with every credential-like query value replaced by <c>***</c>.</summary>
    public static string MaskedPathAndQuery(Uri? uri)
    {
        if (uri is null)
        {
            return "";
        }

        var path = uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?')[0];
        var query = uri.IsAbsoluteUri ? uri.Query : (uri.OriginalString.Contains('?') ? "?" + uri.OriginalString.Split('?', 2)[1] : "");
        if (query.Length <= 1)
        {
            return path;
        }

        var parts = query[1..].Split('&').Select(pair =>
        {
            var eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            var decoded = Uri.UnescapeDataString(key).ToLowerInvariant();
            return eq >= 0 && SecretKeys.Any(s => decoded == s || decoded.EndsWith("_" + s, StringComparison.Ordinal) || decoded.EndsWith(s, StringComparison.Ordinal))
                ? key + "=***"
                : pair;
        });
        return path + "?" + string.Join('&', parts);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{System} {Method} {Path} -> {Status} in {ElapsedMs:0.0} ms")]
    private static partial void LogResponse(ILogger logger, SystemId system, string method, string path, int status, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{System} {Method} {Path} failed with {Error} after {ElapsedMs:0.0} ms")]
    private static partial void LogFailure(ILogger logger, SystemId system, string method, string path, string error, double elapsedMs);
}
