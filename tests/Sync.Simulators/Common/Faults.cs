namespace MessageSync.Simulators;

/// <summary>
/// Faults injected on one endpoint. Each rate is a fraction 0..1 of requests; checked in the order
/// drop, 500, 429, malformed. <see cref="Count"/> limits the fault to the next N matching requests.
/// </summary>
public sealed record FaultSpec
{
    /// <summary>Fraction answered 500 with the system's error body.</summary>
    public double ServerErrorRate { get; init; }

    /// <summary>Fraction answered 429 with <c>Retry-After</c> (as if a limit were hit).</summary>
    public double RateLimitRate { get; init; }

    /// <summary>Fraction whose connection is aborted without a response.</summary>
    public double DropRate { get; init; }

    /// <summary>Fraction answered 200 with a truncated, unparsable JSON body (after the request took effect).</summary>
    public double MalformedRate { get; init; }

    /// <summary>Delay before the request is handled.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Fraction of requests that get <see cref="Delay"/>; default all.</summary>
    public double DelayRate { get; init; } = 1;

    /// <summary>Seconds sent in <c>Retry-After</c> with an injected 429.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>When set, only the next N requests to the endpoint are faulted, then the fault clears.</summary>
    public int? Count { get; init; }
}

/// <summary>Requests one endpoint has seen: every request, and how many were answered 429 or 500.</summary>
public sealed record EndpointStats(long Requests, long RateLimited, long ServerErrors);

/// <summary>Who wrote a message added through a simulator's back door (<c>/_sim/messages</c>).</summary>
public enum SimMessageKind
{
    /// <summary>The customer (Pylon contact, helpdesk <c>request</c>).</summary>
    Customer,

    /// <summary>An agent's customer-visible reply (Pylon reply as a user, helpdesk <c>response</c>).</summary>
    Agent,

    /// <summary>An internal note (Pylon private note in a thread, helpdesk <c>note</c>).</summary>
    InternalNote,
}
