using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using Microsoft.Data.Sqlite;

namespace MessageSync.Core.Tests.State;

/// <summary>A clock tests move by hand (Microsoft.Extensions.TimeProvider.Testing is not available here).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public ManualClock()
        : this(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A real SQLite file in its own temporary folder, removed afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "messagesync-tests", Guid.NewGuid().ToString("N"));
        DatabasePath = Path.Combine(Folder, "nested", "sync.db");
    }

    public string Folder { get; }
    public string DatabasePath { get; }
    public ManualClock Clock { get; } = new();

    public SqliteStateStore Open(IReadOnlyList<Migration>? migrations = null) =>
        new(new StateStoreOptions { Path = DatabasePath, BusyTimeout = TimeSpan.FromSeconds(30) }, Clock, null, migrations ?? Migrations.All);

    /// <summary>A raw connection for checks the interface does not offer (the tests look at the file itself).</summary>
    public SqliteConnection Raw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; a failing cleanup must not fail the test.
        }
    }
}

internal static class Samples
{
    public static ConversationLink Link(string id = "link-1") => new()
    {
        Id = id,
        PylonIssueId = "iss_1",
        HelpdeskTicketId = "tkt_9",
        CordThreadId = "th_4",
    };

    public static CanonicalMessage Message(Guid id, string linkId, SystemId system, string externalId, string text = "Hello", MessageKind kind = MessageKind.CustomerMessage) => new()
    {
        Id = id,
        LinkId = linkId,
        Origin = new MessageOrigin(system, externalId),
        Author = new Author("Ada", "ada@example.com"),
        Kind = kind,
        BodyHtml = $"<p>{text}</p>",
        BodyText = text,
        Attachments = [new Attachment("a.png", "https://files.example.com/a.png?sig=1", "image/png", 12)],
        CreatedAt = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero),
    };

    public static ObservationCommit Created(string linkId, SystemId system, string externalId, Guid? id = null, string? cursor = null, string text = "Hello")
    {
        var canonicalId = id ?? Guid.CreateVersion7();
        return new ObservationCommit
        {
            LinkId = linkId,
            System = system,
            Snapshots = [new SnapshotEntry(externalId, canonicalId, "hash-" + text)],
            Changes = [new DetectedChange(ChangeKind.Created, canonicalId, externalId, DateTimeOffset.UnixEpoch, Message(canonicalId, linkId, system, externalId, text))],
            Cursor = cursor,
        };
    }

    public static ObservedMessage Observed(string id, string text = "Hello", MessageKind kind = MessageKind.CustomerMessage) => new()
    {
        ExternalId = id,
        Kind = kind,
        Author = new Author("Ada"),
        BodyHtml = $"<p>{text}</p>",
        BodyText = text,
        CreatedAt = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero),
    };
}
