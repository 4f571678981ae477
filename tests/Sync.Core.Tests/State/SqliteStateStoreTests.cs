using Dapper;
using MessageSync.Core.State;

namespace MessageSync.Core.Tests.State;

/// <summary>The store contract on a SQLite file, and what only SQLite has: the file, its folder and WAL mode.</summary>
public sealed class SqliteStateStoreTests : StateStoreContractTests
{
    private readonly TempDatabase _file;

    public SqliteStateStoreTests()
        : this(new TempDatabase())
    {
    }

    private SqliteStateStoreTests(TempDatabase file)
        : base(file) => _file = file;

    [Fact]
    public async Task First_open_creates_the_folder_and_a_WAL_database()
    {
        using var store = _file.Open();

        await store.InitializeAsync();

        Assert.True(File.Exists(_file.DatabasePath));
        using var raw = _file.Raw();
        Assert.Equal("wal", raw.ExecuteScalar<string>("PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task Every_pooled_connection_enforces_foreign_keys()
    {
        using var store = _file.Open();
        await store.InitializeAsync();

        // More opens than the pool has physical connections: the PRAGMAs run once per physical connection, not per open.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Assert.ThrowsAnyAsync<Exception>(() => store.RecordMappingAsync(Guid.CreateVersion7(), Model.SystemId.Cord, $"cm_{i}", Model.MessageKind.CustomerMessage, null)))));
    }
}
