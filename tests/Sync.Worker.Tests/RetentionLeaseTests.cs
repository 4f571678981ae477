using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Core.Tests.State;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Ownership;

namespace MessageSync.Worker.Tests;

/// <summary>
/// Retention runs only in the process holding the relay lease (issue 13.2, DESIGN.md "Several processes"): a worker on a
/// shared database that does not hold it prunes nothing, however long it runs; once it takes the lease, it prunes. Proven
/// on a real SQLite file and on PostgreSQL, the worker host built as <c>run</c> builds it.
/// </summary>
public abstract class RetentionLeaseTests : IDisposable
{
    private const string OtherProcess = "other-host/1-0000aaaa";
    private readonly StoreDatabase _db;

    protected RetentionLeaseTests(StoreDatabase db) => _db = db;

    /// <summary>The worker settings that point it at <see cref="_db"/>.</summary>
    protected abstract string[] StateSettings { get; }

    public void Dispose()
    {
        _db.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Only_the_process_holding_the_relay_lease_prunes()
    {
        using var store = _db.Open();
        await store.InitializeAsync();

        // A change published long ago (the fixture's clock is 2025) and applied by every system: retention may remove it.
        await store.CommitObservationAsync(Samples.Created("link-old", SystemId.Pylon, "msg_old"));
        var change = Assert.Single(await store.GetUnpublishedAsync(10));
        await store.MarkPublishedAsync([change.Sequence]);
        foreach (var system in Enum.GetValues<SystemId>())
        {
            await store.MarkChangeAppliedAsync(change.Message.ChangeId, system, "Create");
        }

        // Another process holds the relay lease for ten minutes.
        Assert.NotNull(await store.TryAcquireLeaseAsync(Leases.Relay, OtherProcess, TimeSpan.FromMinutes(10)));

        await using var worker = SyncHost.CreateBuilder(
            [
                .. StateSettings, .. WorkerFolder.UnreachableSystems, "--Sync:Http:Urls=http://127.0.0.1:0", "--Sync:Logging:MinimumLevel=Warning",
                "--Sync:Retention:Interval=00:00:01", "--Sync:Ownership:LeaseTtl=00:00:03", "--Sync:Ownership:RenewInterval=00:00:00.100",
            ],
            HostMode.Run).Build();
        await worker.StartAsync();
        try
        {
            // The worker tries to take the leases every 100 ms; with the in-memory transport it gives back what it took when
            // the relay is held elsewhere. Each round it takes system:pylon again once the test removed its released row:
            // 20 rounds are two seconds, two retention intervals, in which a pruner outside the lease would have pruned.
            for (var rounds = 0; rounds < 20; rounds++)
            {
                await WaitUntilAsync(async () => await _db.ScalarAsync<long>("SELECT COUNT(*) FROM leases WHERE name = 'system:pylon';") > 0, "the worker's next ownership round");
                await _db.ExecuteAsync("DELETE FROM leases WHERE name = 'system:pylon';");
            }

            Assert.Equal(1, await _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox;"));
            Assert.Equal(3, await _db.ScalarAsync<long>("SELECT COUNT(*) FROM applied_changes;"));
            Assert.Equal(OtherProcess, (await store.ListLeasesAsync()).Single(l => l.Name == Leases.Relay).Owner);

            // The other process stops: this one takes the relay lease, and with it retention.
            await store.ReleaseLeaseAsync(Leases.Relay, OtherProcess);

            await WaitUntilAsync(async () => await _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox;") == 0, "the lease holder's retention pass");
            Assert.Equal(0, await _db.ScalarAsync<long>("SELECT COUNT(*) FROM applied_changes;"));
            Assert.NotEqual(OtherProcess, (await store.ListLeasesAsync()).Single(l => l.Name == Leases.Relay).Owner);
            Assert.True(await store.IsChangeAppliedAsync(change.Message, SystemId.Cord), "a redelivery of the pruned change is still known as applied");
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}

public sealed class SqliteRetentionLeaseTests : RetentionLeaseTests
{
    private readonly TempDatabase _file;

    public SqliteRetentionLeaseTests()
        : this(new TempDatabase())
    {
    }

    private SqliteRetentionLeaseTests(TempDatabase file)
        : base(file) => _file = file;

    protected override string[] StateSettings => [$"--Sync:State:Path={_file.DatabasePath}"];
}

public sealed class PostgresRetentionLeaseTests : RetentionLeaseTests
{
    private readonly PostgresTestDatabase _server;

    public PostgresRetentionLeaseTests()
        : this(new PostgresTestDatabase())
    {
    }

    private PostgresRetentionLeaseTests(PostgresTestDatabase server)
        : base(server) => _server = server;

    protected override string[] StateSettings => ["--Sync:State:Provider=Postgres", $"--Sync:State:ConnectionString={_server.ConnectionString}"];
}
