using Npgsql;

namespace MessageSync.IntegrationTests;

/// <summary>
/// The main scenario with the state on PostgreSQL and the bus on RabbitMQ: the production shape. The server is the private
/// one <c>scripts/test.sh</c> starts and names in <c>SYNC_TEST_POSTGRES</c>; without it these tests fail, never skip.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class PostgresScenarioTests
{
    [Fact]
    public async Task Messages_of_every_kind_reach_every_other_system_exactly_once_on_PostgreSQL_and_RabbitMQ()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync([.. RabbitMqBroker.Settings(), .. database.Settings()]);

        await Scenario.RunEveryKindAsync(harness);
    }
}

/// <summary>A database of its own on the test server, dropped at the end.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string Variable = "SYNC_TEST_POSTGRES";

    private readonly string _server;

    private PostgresDatabase(string server, string name)
    {
        _server = server;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
        Name = name;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        Assert.False(string.IsNullOrWhiteSpace(server), $"{Variable} is not set: run the tests through scripts/test.sh, which starts a private PostgreSQL server.");
        var database = new PostgresDatabase(server, "sync_it_" + Guid.NewGuid().ToString("N"));
        await database.RunOnServerAsync($"CREATE DATABASE {database.Name}");
        return database;
    }

    /// <summary>The worker settings that put its state in this database.</summary>
    public string[] Settings() => ["Sync:State:Provider=Postgres", $"Sync:State:ConnectionString={ConnectionString}"];

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunOnServerAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private async Task RunOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
