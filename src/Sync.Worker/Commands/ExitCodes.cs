namespace MessageSync.Worker.Commands;

/// <summary>
/// The worker's exit codes, one table for every verb. <c>--help</c> prints <see cref="Table"/>; the README's table is
/// checked against it by a test, so the two cannot drift.
/// </summary>
public static class ExitCodes
{
    /// <summary>Done: the verb did what it was asked (backfill: caught up; check: every check passed).</summary>
    public const int Ok = 0;

    /// <summary>A runtime failure: a conversation could not be read, a change faulted, a check failed, an unexpected error.</summary>
    public const int Failure = 1;

    /// <summary>A usage or configuration error: unknown verb, option or argument, a value that does not parse, an id that
    /// does not exist, invalid configuration (also at <c>run</c> start-up). Nothing was changed.</summary>
    public const int Usage = 2;

    /// <summary>A time limit ran out (<c>backfill --timeout</c>, <c>check --timeout</c>) before the work was done.</summary>
    public const int Timeout = 3;

    /// <summary>Stopped by Ctrl-C or SIGTERM before the work was done (a tool verb; <c>run</c> exits 0 on a stop request).</summary>
    public const int Interrupted = 130;

    public static IReadOnlyList<(int Code, string Meaning)> Table { get; } =
    [
        (Ok, "ok: done (backfill caught up, every check passed)"),
        (Failure, "runtime failure: a read or write failed, a change faulted, a check failed, an unexpected error"),
        (Usage, "usage or configuration error: unknown verb, option, argument or id, a bad value, invalid configuration"),
        (Timeout, "time limit reached before the work was done (--timeout)"),
        (Interrupted, "interrupted by Ctrl-C or SIGTERM before the work was done"),
    ];
}
