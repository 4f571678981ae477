using MessageSync.Core.Model;
using MessageSync.Core.State;

namespace MessageSync.Core.Tests.State;

/// <summary>
/// Leases, fencing and backfill requests: the store's part of "several processes, one truth", proven on each engine.
/// Lease times are on the database's clock, so these tests wait (for a condition, bounded) rather than move a fake clock.
/// </summary>
public abstract class OwnershipContractTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private readonly StoreDatabase _db;

    protected OwnershipContractTests(StoreDatabase db) => _db = db;

    public void Dispose()
    {
        _db.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_lease_has_one_owner_who_renews_it_under_the_same_token()
    {
        using var store = _db.Open();

        var first = await store.TryAcquireLeaseAsync("system:pylon", "a", Long);
        var renewed = await store.TryAcquireLeaseAsync("system:pylon", "a", Long);
        var other = await store.TryAcquireLeaseAsync("system:pylon", "b", Long);

        Assert.Equal(1, first);
        Assert.Equal(1, renewed);
        Assert.Null(other);
        var lease = Assert.Single(await store.ListLeasesAsync());
        Assert.Equal(("system:pylon", "a", 1L, true), (lease.Name, lease.Owner, lease.Token, lease.IsHeld));
        Assert.InRange(lease.Remaining, TimeSpan.FromMinutes(4), Long);
    }

    [Fact]
    public async Task An_expired_lease_goes_to_the_next_owner_with_a_higher_token()
    {
        using var store = _db.Open();
        Assert.Equal(1, await store.TryAcquireLeaseAsync("relay", "a", TimeSpan.FromMilliseconds(300)));

        long? taken = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (taken is null && DateTime.UtcNow < deadline)
        {
            taken = await store.TryAcquireLeaseAsync("relay", "b", Long);
            await Task.Delay(50);
        }

        Assert.Equal(2, taken);
        Assert.Null(await store.TryAcquireLeaseAsync("relay", "a", Long));
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once()
    {
        using var store = _db.Open();
        await store.TryAcquireLeaseAsync("system:cord", "a", Long);

        await store.ReleaseLeaseAsync("system:cord", "a");
        await store.ReleaseLeaseAsync("system:cord", "b"); // not the owner: changes nothing

        Assert.Equal(2, await store.TryAcquireLeaseAsync("system:cord", "b", Long));
        Assert.False((await store.ListLeasesAsync()).Single().Owner == "a");
    }

    [Fact]
    public async Task Processes_racing_for_a_free_lease_get_one_owner()
    {
        using var store = _db.Open();
        await store.InitializeAsync();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => store.TryAcquireLeaseAsync("system:helpdesk", $"p{i}", Long))));

        Assert.Equal(1, tokens.Count(t => t is not null));
    }

    [Fact]
    public async Task A_commit_under_a_lease_taken_over_meanwhile_is_refused_and_writes_nothing()
    {
        using var store = _db.Open();
        var token = (await store.TryAcquireLeaseAsync("system:pylon", "a", TimeSpan.FromMilliseconds(1)))!.Value;
        await WaitUntilAsync(async () => await store.TryAcquireLeaseAsync("system:pylon", "b", Long) is not null);
        var stale = Samples.Created("link-1", SystemId.Pylon, "msg_1", cursor: "c1") with { Fence = new LeaseFence("system:pylon", "a", token) };

        var refused = await Assert.ThrowsAsync<LeaseLostException>(() => store.CommitObservationAsync(stale));

        Assert.Equal("system:pylon", refused.Lease);
        Assert.Empty(await store.GetUnpublishedAsync(10));
        Assert.Null(await store.GetCursorAsync("link-1", SystemId.Pylon));
        Assert.Empty(await store.GetSnapshotAsync("link-1", SystemId.Pylon));

        var current = stale with { Fence = new LeaseFence("system:pylon", "b", token + 1) };
        Assert.Single((await store.CommitObservationAsync(current)).Written);
    }

    [Fact]
    public async Task A_backfill_request_is_pending_per_link_and_system_until_its_owner_records_it()
    {
        using var store = _db.Open();

        var id = await store.RequestBackfillAsync("backfill@host", [("link-1", SystemId.Pylon), ("link-1", SystemId.Cord), ("link-2", SystemId.Pylon)], dryRun: false);

        Assert.Equal(["link-1", "link-2"], (await store.PendingBackfillAsync(SystemId.Pylon)).Select(p => p.LinkId));
        Assert.Single(await store.PendingBackfillAsync(SystemId.Cord));
        Assert.Empty(await store.PendingBackfillAsync(SystemId.Helpdesk));

        await store.RecordBackfillAsync(new BackfillProgress(id, "link-1", SystemId.Pylon, BackfillState.Done, false, Messages: 12, Changes: 3));
        await store.RecordBackfillAsync(new BackfillProgress(id, "link-1", SystemId.Pylon, BackfillState.Failed, false, Summary: "late duplicate"));
        await store.RecordBackfillAsync(new BackfillProgress(id, "link-1", SystemId.Cord, BackfillState.Failed, false, Summary: "404 thread"));

        var progress = await store.GetBackfillAsync(id);
        Assert.Equal(
            [("link-1", SystemId.Cord, BackfillState.Failed, "404 thread"), ("link-1", SystemId.Pylon, BackfillState.Done, null), ("link-2", SystemId.Pylon, BackfillState.Pending, null)],
            progress.Select(p => (p.LinkId, p.System, p.State, p.Summary)));
        Assert.Equal((12L, 3L), (progress[1].Messages, progress[1].Changes));
        Assert.Equal(["link-2"], (await store.PendingBackfillAsync(SystemId.Pylon)).Select(p => p.LinkId));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }
}

public sealed class SqliteOwnershipTests() : OwnershipContractTests(new TempDatabase());

public sealed class PostgresOwnershipTests() : OwnershipContractTests(new PostgresTestDatabase());
