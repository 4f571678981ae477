using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.RegularExpressions;

namespace MessageSync.Core.State;

/// <summary>
/// What differs between the engines the state store runs on: how a connection is opened and configured, how a write,
/// a consistent read and a migration begin, the few schema words the engines spell differently, and which errors are worth
/// one more try. Everything else (every query, every migration step) is one SQL text in <see cref="StateStore"/> and
/// <see cref="Migrations"/>, so a rule of the store lives in one place and one test suite proves it on both engines.
/// </summary>
public abstract partial class StateDialect : IDisposable
{
    private readonly ConcurrentDictionary<string, string> _rendered = new(StringComparer.Ordinal);

    /// <summary>The engine's name for log lines and errors ("SQLite", "PostgreSQL").</summary>
    public abstract string Engine { get; }

    /// <summary>Where the state lives, for log lines and errors: a file path, or host, port and database. Never a password.</summary>
    public abstract string Location { get; }

    /// <summary>Once, before the first connection: e.g. create the SQLite file's folder and switch the file to WAL.</summary>
    public virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>An open connection, configured for the store.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A transaction for writes that belong together. SQLite: BEGIN IMMEDIATE (the single write lock up front, so two
    /// writers never deadlock upgrading a read lock). PostgreSQL: READ COMMITTED, where unique constraints and row locks
    /// order concurrent writers (see the comments at <see cref="StateStore.CommitObservationAsync"/>).
    /// </summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>A read-only transaction in which every query sees the same state (for <c>status</c> figures that add up).</summary>
    public abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// A transaction for one migration step that no other process can run at the same time: SQLite's write lock, or a
    /// PostgreSQL transaction-level advisory lock. The migrator re-reads the schema version inside it.
    /// </summary>
    public abstract Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>True for a failure that a fresh attempt of the whole transaction can cure (a deadlock victim, a serialization failure).</summary>
    public virtual bool IsRetryable(Exception exception) => false;

    /// <summary>
    /// Spells SQL for this engine (memoised per text). SQL is written once with these tokens where the engines differ:
    /// <c>{identity}</c> (an auto-numbered 64-bit primary key), <c>{json COLUMN KEY}</c> (the text of a top-level key of a
    /// JSON column), <c>{in COLUMN @List}</c> (the column is one of a list parameter's values), <c>{now_ms}</c> (the
    /// database's clock in Unix milliseconds: leases never trust a process's clock), <c>{for_share}</c> (lock the
    /// selected rows against updates until commit; SQLite's single writer already does) and
    /// <c>{identity after TABLE COLUMN}</c> (a statement that makes the next auto-number follow the largest one in the table,
    /// after rows were copied in with their numbers, as a migration that rebuilds a table does).
    /// </summary>
    public string Render(string sql) => _rendered.GetOrAdd(sql, text =>
    {
        var spelled = IdentityAfterToken().Replace(text, m => IdentityAfter(m.Groups[1].Value, m.Groups[2].Value))
            .Replace("{identity}", IdentityColumn, StringComparison.Ordinal)
            .Replace("{now_ms}", NowMilliseconds, StringComparison.Ordinal)
            .Replace("{for_share}", ForShare, StringComparison.Ordinal);
        spelled = JsonToken().Replace(spelled, m => JsonText(m.Groups[1].Value, m.Groups[2].Value));
        return InToken().Replace(spelled, m => InList(m.Groups[1].Value, m.Groups[2].Value));
    });

    protected abstract string IdentityColumn { get; }

    /// <summary>See <see cref="Render"/>: one statement, ending in a semicolon.</summary>
    protected abstract string IdentityAfter(string table, string column);

    protected abstract string NowMilliseconds { get; }

    protected abstract string ForShare { get; }

    protected abstract string JsonText(string column, string key);

    /// <summary>SQLite: Dapper expands <c>IN @List</c> into one parameter per value. Npgsql: Dapper sends the list as one array.</summary>
    protected abstract string InList(string column, string parameter);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    [GeneratedRegex(@"\{identity after (\w+) (\w+)\}")]
    private static partial Regex IdentityAfterToken();

    [GeneratedRegex(@"\{json (\w+) (\w+)\}")]
    private static partial Regex JsonToken();

    [GeneratedRegex(@"\{in (\w+) (@\w+)\}")]
    private static partial Regex InToken();
}
