using Microsoft.Extensions.Options;
using Npgsql;

namespace MessageSync.Core.State;

/// <summary>
/// Checks <c>Sync:State</c> at start. Each failure names the key to fix; a connection string's text is never part of a
/// message (it may hold a password), only the key it came from.
/// </summary>
public sealed class StateStoreOptionsValidator : IValidateOptions<StateStoreOptions>
{
    private const string Prefix = StateStoreOptions.SectionName;
    private static readonly TimeSpan MinBusyTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, StateStoreOptions options)
    {
        var failures = new List<string>();
        switch (options.Provider)
        {
            case StateProvider.Sqlite:
                if (string.IsNullOrWhiteSpace(options.Path))
                {
                    failures.Add($"{Prefix}:Path: '{options.Path}' must name the SQLite state file (default data/sync.db)");
                }

                if (options.BusyTimeout < MinBusyTimeout || options.BusyTimeout > MaxBusyTimeout)
                {
                    failures.Add($"{Prefix}:BusyTimeout: '{options.BusyTimeout}' must be between {MinBusyTimeout} and {MaxBusyTimeout}");
                }

                break;

            case StateProvider.Postgres:
                CheckPostgres(options, failures);
                break;

            default:
                failures.Add($"{Prefix}:Provider: '{options.Provider}' must be Sqlite or Postgres");
                break;
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPostgres(StateStoreOptions options, List<string> failures)
    {
        string key;
        string text;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            key = $"{Prefix}:ConnectionString";
            text = options.ConnectionString;
        }
        else if (!string.IsNullOrWhiteSpace(options.ConnectionStringFile))
        {
            key = $"{Prefix}:ConnectionStringFile";
            try
            {
                text = File.ReadAllText(options.ConnectionStringFile).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{key}: '{options.ConnectionStringFile}' cannot be read: {ex.Message}");
                return;
            }

            if (text.Length == 0)
            {
                failures.Add($"{key}: '{options.ConnectionStringFile}' is empty; it must hold the PostgreSQL connection string");
                return;
            }
        }
        else
        {
            failures.Add($"{Prefix}:ConnectionString: required when {Prefix}:Provider is Postgres (or set {Prefix}:ConnectionStringFile to a file that holds it)");
            return;
        }

        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            failures.Add($"{key}: not a valid PostgreSQL connection string (its text is not shown, it may hold a password): expected 'Host=...;Database=...;Username=...;Password=...'");
            return;
        }

        if (string.IsNullOrWhiteSpace(parsed.Host))
        {
            failures.Add($"{key}: the PostgreSQL connection string names no Host");
        }
    }

    /// <summary>The connection string in force: <see cref="StateStoreOptions.ConnectionString"/>, else the file's content.</summary>
    internal static string PostgresConnectionString(StateStoreOptions options) =>
        !string.IsNullOrWhiteSpace(options.ConnectionString)
            ? options.ConnectionString
            : File.ReadAllText(options.ConnectionStringFile ?? throw new InvalidOperationException($"{Prefix}:ConnectionString is not set.")).Trim();
}
