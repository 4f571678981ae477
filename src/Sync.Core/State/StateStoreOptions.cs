using System.ComponentModel.DataAnnotations;

namespace MessageSync.Core.State;

/// <summary>Options of the SQLite state store (configuration section <c>Sync:State</c>).</summary>
public sealed class StateStoreOptions
{
    public const string SectionName = "Sync:State";

    /// <summary>The database file. Default <c>data/sync.db</c>, relative to the working directory; the folder is created on first open.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "data/sync.db";

    /// <summary>How long a writer waits for another writer's lock before failing. Default 30 s: SQLite has one writer at a time.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
