using MessageSync.Core.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MessageSync.Core.Tests.State;

public sealed class StateStoreRegistrationTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task The_registered_store_is_one_shared_SQLite_store_on_the_configured_path()
    {
        await using var provider = new ServiceCollection()
            .AddSqliteStateStore(o => o.Path = _db.DatabasePath)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var store = provider.GetRequiredService<IStateStore>();
        await ((SqliteStateStore)store).InitializeAsync();

        Assert.Same(store, provider.GetRequiredService<SqliteStateStore>());
        Assert.Equal(Path.GetFullPath(_db.DatabasePath), ((SqliteStateStore)store).DatabasePath);
        Assert.True(File.Exists(_db.DatabasePath));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void An_empty_path_is_refused_by_validation(string path)
    {
        using var provider = new ServiceCollection().AddSqliteStateStore(o => o.Path = path).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StateStoreOptions>>().Value);
        Assert.Contains(nameof(StateStoreOptions.Path), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_busy_timeout_out_of_range_is_refused_by_validation()
    {
        using var provider = new ServiceCollection().AddSqliteStateStore(o => o.BusyTimeout = TimeSpan.Zero).BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StateStoreOptions>>().Value);
    }
}
