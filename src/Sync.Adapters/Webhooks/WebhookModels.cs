using MessageSync.Core.Model;

namespace MessageSync.Adapters.Webhooks;

/// <summary>"Look at this conversation now": all a verified webhook may say (DESIGN.md "Webhooks are hints").</summary>
public sealed record WebhookHint(SystemId System, string ConversationId);

/// <summary>Why a webhook was refused. None of these ever yields a hint.</summary>
public enum WebhookRejectionReason
{
    NotConfigured,
    MissingSignature,
    BadSignature,
    MissingTimestamp,
    StaleTimestamp,

    /// <summary>The same signed delivery was accepted before (a replay within the freshness window).</summary>
    Replayed,
    MalformedPayload,
    TooLarge,
}

/// <summary>The outcome of one webhook delivery.</summary>
public abstract record WebhookOutcome
{
    private protected WebhookOutcome()
    {
    }
}

/// <summary>Verified, and names a conversation to poll now.</summary>
public sealed record WebhookAccepted(WebhookHint Hint) : WebhookOutcome;

/// <summary>Verified, but asks for nothing (Cord <c>url-verification</c>, an event MessageSync does not follow).</summary>
public sealed record WebhookAcknowledged(string Event) : WebhookOutcome;

/// <summary>Refused: answer 401 (signature, timestamp) or 400 (payload); never a hint.</summary>
public sealed record WebhookRejected(WebhookRejectionReason Reason, string Detail) : WebhookOutcome
{
    public bool IsAuthenticationFailure => Reason is WebhookRejectionReason.MissingSignature or WebhookRejectionReason.BadSignature
        or WebhookRejectionReason.MissingTimestamp or WebhookRejectionReason.StaleTimestamp or WebhookRejectionReason.Replayed
        or WebhookRejectionReason.NotConfigured;
}

/// <summary>Verifies and parses one system's webhooks. <paramref name="header"/> looks a request header up by name (case-insensitive).</summary>
public interface IWebhookVerifier
{
    SystemId System { get; }

    WebhookOutcome Verify(Func<string, string?> header, ReadOnlySpan<byte> body);
}
