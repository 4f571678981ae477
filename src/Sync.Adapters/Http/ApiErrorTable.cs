using System.Net;
using System.Text.Json;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Http;

/// <summary>
/// The one table from HTTP status and documented error codes to the Core exception family (STYLE.md habit 4,
/// DESIGN.md "Failures"). Every client throws through here, so "can a retry help?" is decided in one place.
/// </summary>
public static class ApiErrorTable
{
    /// <summary>Helpdesk (api-docs 002, "Error codes"): 403, new messages refused on a closed ticket: park the change.</summary>
    public const string TicketClosed = "TICKET_CLOSED";

    /// <summary>Helpdesk (api-docs 002): 403, a closed status is set by automations only: a retry cannot help.</summary>
    public const string ClosedStatusSystemOnly = "CLOSED_STATUS_SYSTEM_ONLY";

    private static readonly string[] KnownCodes = [TicketClosed, ClosedStatusSystemOnly];

    /// <summary>Maps a non-success response to the exception the engine acts on.</summary>
    public static SyncException FromResponse(SystemId system, HttpStatusCode status, string? body, TimeSpan? retryAfter)
    {
        var code = FindErrorCode(body);
        var detail = Describe(system, status, code, body);
        var numeric = (int)status;
        return numeric switch
        {
            401 => new AuthenticationException(system, $"{system}: credentials refused (401); the system is paused until they are renewed. {detail}"),
            403 when code == TicketClosed => new ConversationClosedException(system, TicketClosed, detail),
            403 when code == ClosedStatusSystemOnly => new PermanentApiException(system, numeric, detail),
            // DESIGN.md "Failures": 401/403 pause the system (missing role or revoked token), work stays queued.
            403 => new AuthenticationException(system, $"{system}: access refused (403). {detail}"),
            404 or 410 => new NotFoundException(system, detail),
            429 => new RateLimitedException(system, retryAfter ?? TimeSpan.FromSeconds(60), detail),
            408 or 425 => new TransientApiException(system, detail),
            >= 500 => new TransientApiException(system, detail),
            _ => new PermanentApiException(system, numeric, detail),
        };
    }

    /// <summary>True for statuses where sending the same idempotent request again may succeed.</summary>
    public static bool IsRetryableStatus(HttpStatusCode status)
    {
        var numeric = (int)status;
        return numeric is 408 or 425 or 429 or >= 500;
    }

    /// <summary>
    /// Finds a documented error code anywhere in an error body. The helpdesk documents the codes but not the envelope
    /// (<c>{"code":..}</c>, <c>{"error":{"code":..}}</c> and <c>{"errors":[..]}</c> are all seen in the wild), so any
    /// string value equal to a known code counts.
    /// </summary>
    internal static string? FindErrorCode(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return FindIn(document.RootElement, depth: 0);
        }
        catch (JsonException)
        {
            return KnownCodes.FirstOrDefault(c => body.Contains(c, StringComparison.Ordinal));
        }
    }

    private static string? FindIn(JsonElement element, int depth)
    {
        if (depth > 8)
        {
            return null;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var value = element.GetString();
                return KnownCodes.FirstOrDefault(c => string.Equals(c, value, StringComparison.Ordinal));
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (FindIn(property.Value, depth + 1) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindIn(item, depth + 1) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string Describe(SystemId system, HttpStatusCode status, string? code, string? body)
    {
        // The body of an error is the API's own explanation; it is cut short so a hostile or huge body cannot flood logs.
        var excerpt = string.IsNullOrWhiteSpace(body) ? "" : body.Length > 300 ? body[..300] + "..." : body;
        return code is null
            ? $"{system} API returned {(int)status} {status}: {excerpt}".TrimEnd(' ', ':')
            : $"{system} API returned {(int)status} {code}: {excerpt}".TrimEnd(' ', ':');
    }
}
