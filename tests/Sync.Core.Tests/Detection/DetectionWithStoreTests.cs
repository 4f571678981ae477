using MessageSync.Core.Detection;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Core.Tests.State;

namespace MessageSync.Core.Tests.Detection;

/// <summary>The detector and the store together: the echo-suppression loop of DESIGN.md ("Echo suppression").</summary>
public sealed class DetectionWithStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_mirror_read_back_is_no_new_message_but_a_persons_edit_of_it_travels()
    {
        using var store = _db.Open();
        var detector = new ChangeDetector(_db.Clock);
        var link = Samples.Link();

        // A customer writes in Pylon; the poll finds it.
        var created = detector.Detect(link, SystemId.Pylon, [Samples.Observed("msg_1", "My printer is on fire")], await store.GetSnapshotAsync(link.Id, SystemId.Pylon), false);
        var canonicalId = Assert.Single((await store.CommitObservationAsync(created.ToCommit(link.Id, SystemId.Pylon, "p1"))).Written).CanonicalId;

        // The consumer copies it into Cord; the copy reads back with Cord's own rendering and no marker.
        await store.RecordMappingAsync(canonicalId, SystemId.Cord, "cm_1", MessageKind.CustomerMessage, null);
        var readBack = detector.Detect(link, SystemId.Cord, [Samples.Observed("cm_1", "My printer is on fire (via Pylon)")], await store.GetSnapshotAsync(link.Id, SystemId.Cord), false);
        var echo = await store.CommitObservationAsync(readBack.ToCommit(link.Id, SystemId.Cord, "t1"));
        Assert.Empty(echo.Written);

        // A person then corrects the copy in Cord: an edit of the canonical message, sourced from Cord.
        var edited = detector.Detect(link, SystemId.Cord, [Samples.Observed("cm_1", "My printer was on fire")], await store.GetSnapshotAsync(link.Id, SystemId.Cord), false);
        var change = Assert.Single((await store.CommitObservationAsync(edited.ToCommit(link.Id, SystemId.Cord, "t2"))).Written);

        Assert.Equal((ChangeKind.Edited, canonicalId, SystemId.Cord, 2L), (change.Change, change.CanonicalId, change.Source, change.Sequence));
        var message = await store.GetMessageAsync(canonicalId);
        Assert.Equal(("My printer was on fire", SystemId.Pylon), (message!.BodyText, message.Origin.System));
    }
}
