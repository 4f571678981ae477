using MessageSync.Core.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MessageSync.Core.Tests.State;

public sealed class StateStoreRegistrationTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task The_default_store_is_one_shared_SQLite_store_on_the_configured_path()
    {
        await using var provider = new ServiceCollection()
            .AddStateStore(o => o.Path = _db.DatabasePath)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var store = provider.GetRequiredService<IStateStore>();
        await ((StateStore)store).InitializeAsync();

        Assert.Same(store, provider.GetRequiredService<StateStore>());
        var dialect = Assert.IsType<SqliteDialect>(((StateStore)store).Dialect);
        Assert.Equal(Path.GetFullPath(_db.DatabasePath), dialect.DatabasePath);
        Assert.True(File.Exists(_db.DatabasePath));
    }

    [Fact]
    public async Task The_Postgres_provider_reads_its_connection_string_from_a_mounted_file()
    {
        using var database = new PostgresTestDatabase();
        var file = Path.Combine(_db.Folder, "secret");
        Directory.CreateDirectory(_db.Folder);
        await File.WriteAllTextAsync(file, database.ConnectionString + "\n");
        await using var provider = new ServiceCollection()
            .AddStateStore(o => (o.Provider, o.ConnectionStringFile) = (StateProvider.Postgres, file))
            .BuildServiceProvider();

        var store = provider.GetRequiredService<StateStore>();
        await store.InitializeAsync();

        Assert.IsType<PostgresDialect>(store.Dialect);
        Assert.Contains(database.Name, store.Dialect.Location, StringComparison.Ordinal);
        Assert.Empty(await store.ListLinksAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void An_empty_path_is_refused_by_validation(string path)
    {
        var error = Refused(o => o.Path = path);

        Assert.Contains("Sync:State:Path", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_busy_timeout_out_of_range_is_refused_by_validation()
    {
        Assert.Contains("Sync:State:BusyTimeout", Refused(o => o.BusyTimeout = TimeSpan.Zero), StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_without_a_connection_string_names_both_keys_that_can_give_one()
    {
        var error = Refused(o => o.Provider = StateProvider.Postgres);

        Assert.Contains("Sync:State:ConnectionString: required when Sync:State:Provider is Postgres", error, StringComparison.Ordinal);
        Assert.Contains("Sync:State:ConnectionStringFile", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db;Password=hunter2;Nonsense=1")]
    [InlineData("Host=db;Password=hunter2;Port=notaport")]
    [InlineData("Password=hunter2;Database=sync")]
    public void A_bad_connection_string_is_refused_without_showing_its_password(string connectionString)
    {
        var error = Refused(o => (o.Provider, o.ConnectionString) = (StateProvider.Postgres, connectionString));

        Assert.StartsWith("Sync:State:ConnectionString: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_connection_string_file_is_refused_with_its_key()
    {
        var error = Refused(o => (o.Provider, o.ConnectionStringFile) = (StateProvider.Postgres, "/nonexistent/secret"));

        Assert.StartsWith("Sync:State:ConnectionStringFile: '/nonexistent/secret' cannot be read", error, StringComparison.Ordinal);
    }

    private static string Refused(Action<StateStoreOptions> configure)
    {
        using var provider = new ServiceCollection().AddStateStore(configure).BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StateStoreOptions>>().Value).Message;
    }
}
