using MessageSync.Core.Model;

namespace MessageSync.Core.Ports;

/// <summary>
/// The one family of errors an adapter raises. <see cref="IsTransient"/> says whether a retry can help;
/// the engine maps each type to an outcome (DESIGN.md, "Failures").
/// </summary>
public abstract class SyncException(SystemId system, string message, Exception? inner = null) : Exception(message, inner)
{
    public SystemId System { get; } = system;
    public abstract bool IsTransient { get; }
}

/// <summary>5xx, timeouts, dropped connections, malformed bodies: retry with backoff.</summary>
public sealed class TransientApiException(SystemId system, string message, Exception? inner = null) : SyncException(system, message, inner)
{
    public override bool IsTransient => true;
}

/// <summary>
/// A transient failure in a step a write needs before it is sent (a read such as Pylon's anchor listing, or creating the
/// sync thread): the write itself never left, so nothing is in doubt and no recovery search is needed. Retried like any
/// transient failure; the engine drops the write's intent at once.
/// </summary>
public sealed class WriteNotSentException(SystemId system, string message, Exception? inner = null) : SyncException(system, message, inner)
{
    public override bool IsTransient => true;

    /// <summary>Runs <paramref name="step"/>, a step before the write is sent; its transient failure says the write was not sent.</summary>
    public static async Task<T> BeforeSendingAsync<T>(SystemId system, Func<Task<T>> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            return await step();
        }
        catch (TransientApiException ex)
        {
            throw new WriteNotSentException(system, $"not sent: a step before the write failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc cref="BeforeSendingAsync{T}"/>
    public static Task BeforeSendingAsync(SystemId system, Func<Task> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return BeforeSendingAsync(system, async () =>
        {
            await step();
            return true;
        });
    }
}

/// <summary>429 after the budget's own waiting: retry after <see cref="RetryAfter"/>.</summary>
public sealed class RateLimitedException(SystemId system, TimeSpan retryAfter, string message) : SyncException(system, message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
    public override bool IsTransient => true;
}

/// <summary>401/403 for credentials: the system is paused (circuit open) and its changes stay queued.</summary>
public sealed class AuthenticationException(SystemId system, string message) : SyncException(system, message)
{
    public override bool IsTransient => true;
}

/// <summary>The conversation cannot take messages now (helpdesk TICKET_CLOSED): the change is parked.</summary>
public sealed class ConversationClosedException(SystemId system, string code, string message) : SyncException(system, message)
{
    public string Code { get; } = code;
    public override bool IsTransient => false;
}

/// <summary>404: the conversation or message is gone.</summary>
public sealed class NotFoundException(SystemId system, string message) : SyncException(system, message)
{
    public override bool IsTransient => false;
}

/// <summary>400, 403 other than closed, a refused write: a retry cannot help; the change is faulted with the reason.</summary>
public sealed class PermanentApiException(SystemId system, int statusCode, string message) : SyncException(system, message)
{
    public int StatusCode { get; } = statusCode;
    public override bool IsTransient => false;
}

/// <summary>
/// The adapter refused before any request was sent: the target cannot do what was asked (no edit API, no soft delete),
/// the link lacks this system, or a stored cursor is not one this adapter wrote. No HTTP status is involved, and a retry
/// cannot help; the change is faulted with the reason.
/// </summary>
public sealed class LocalRefusalException(SystemId system, string message) : SyncException(system, message)
{
    public override bool IsTransient => false;
}

/// <summary>An adapter refused a write that would break the visibility invariant or the delivery rule.</summary>
public sealed class VisibilityViolationException(SystemId system, string message) : SyncException(system, message)
{
    public override bool IsTransient => false;
}
