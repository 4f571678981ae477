using MessageSync.Core.Detection;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using MessageSync.Core.Tests.State;

namespace MessageSync.Core.Tests.Detection;

public sealed class ChangeDetectorTests
{
    private static readonly ConversationLink Link = Samples.Link();
    private readonly ManualClock _clock = new();
    private readonly ChangeDetector _detector;

    public ChangeDetectorTests() => _detector = new ChangeDetector(_clock);

    private static readonly Dictionary<string, SnapshotEntry> NoSnapshot = [];

    private static string Hash(ObservedMessage m) => MessageHash.Of(m.BodyHtml, m.Attachments);

    private static Dictionary<string, SnapshotEntry> SnapshotOf(params SnapshotEntry[] entries) =>
        entries.ToDictionary(e => e.ExternalId, StringComparer.Ordinal);

    private DetectionResult Detect(IReadOnlyList<ObservedMessage> page, IReadOnlyDictionary<string, SnapshotEntry> snapshot, bool fullScan = false) =>
        _detector.Detect(Link, SystemId.Pylon, page, snapshot, fullScan);

    private DetectionResult Detect(IReadOnlyList<ObservedMessage> page, IReadOnlyDictionary<string, SnapshotEntry> snapshot, IReadOnlyDictionary<Guid, OwnWrite> ownWrites) =>
        _detector.Detect(Link, SystemId.Pylon, page, snapshot, fullScan: false, ownWrites);

    private static Dictionary<Guid, OwnWrite> OwnWrites(params OwnWrite[] writes) => writes.ToDictionary(w => w.Marker);

    [Fact]
    public void An_unknown_message_is_created_with_a_time_ordered_canonical_id()
    {
        var observed = Samples.Observed("msg_1", "Hi there") with
        {
            Author = new Author("Ada", "ada@example.com", "c_1", IsCustomer: true),
            Attachments = [new Attachment("a.pdf", "https://x/a.pdf")],
        };

        var result = Detect([observed], NoSnapshot);

        var change = Assert.Single(result.Changes);
        Assert.Equal(ChangeKind.Created, change.Kind);
        Assert.Equal(7, change.CanonicalId.Version);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), UnixMillisOf(change.CanonicalId));
        Assert.Equal(observed.CreatedAt, change.OccurredAt);
        var message = change.Message!;
        Assert.Equal((change.CanonicalId, "link-1", new MessageOrigin(SystemId.Pylon, "msg_1")), (message.Id, message.LinkId, message.Origin));
        Assert.Equal((observed.Kind, observed.Author, observed.BodyHtml, observed.BodyText), (message.Kind, message.Author, message.BodyHtml, message.BodyText));
        Assert.Equal(observed.Attachments, message.Attachments);
        var snapshot = Assert.Single(result.Snapshots);
        Assert.Equal(new SnapshotEntry("msg_1", change.CanonicalId, Hash(observed)), snapshot);
    }

    [Fact]
    public void Messages_found_later_get_later_ids()
    {
        var first = Assert.Single(Detect([Samples.Observed("a")], NoSnapshot).Changes).CanonicalId;
        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = Assert.Single(Detect([Samples.Observed("b")], NoSnapshot).Changes).CanonicalId;

        Assert.True(string.CompareOrdinal(first.ToString(), second.ToString()) < 0);
    }

    [Fact]
    public void A_message_carrying_our_own_marker_is_an_echo_recorded_under_its_canonical_id()
    {
        var canonical = Guid.CreateVersion7();
        var own = OwnWrites(new OwnWrite(canonical, canonical, "msg_9", IsNote: false));

        var result = Detect([Samples.Observed("msg_9") with { SyncId = canonical }], NoSnapshot, own);

        Assert.Empty(result.Changes);
        Assert.Equal(canonical, Assert.Single(result.Snapshots).CanonicalId);
    }

    [Fact]
    public void A_write_still_in_flight_is_recognised_by_its_marker_before_its_id_is_known()
    {
        var canonical = Guid.CreateVersion7();

        var result = Detect([Samples.Observed("msg_9") with { SyncId = canonical }], NoSnapshot, OwnWrites(new OwnWrite(canonical, canonical, null, IsNote: false)));

        Assert.Empty(result.Changes);
        var row = Assert.Single(result.Snapshots);
        Assert.Equal(canonical, row.CanonicalId);
        Assert.True(row.InsertOnly, "the echo of a write in flight must not replace the baseline its mapping may record meanwhile");
    }

    [Fact]
    public void An_edit_notes_marker_records_its_row_as_a_note_of_the_message()
    {
        Guid canonical = Guid.CreateVersion7(), change = Guid.CreateVersion7();

        var result = Detect([Samples.Observed("note_1") with { SyncId = change }], NoSnapshot, OwnWrites(new OwnWrite(change, canonical, "note_1", IsNote: true)));

        var row = Assert.Single(result.Snapshots);
        Assert.Equal((canonical, true), (row.CanonicalId, row.IsNote));
        Assert.Empty(result.Changes);
    }

    [Theory]
    [InlineData("unknown marker")]
    [InlineData("marker of a mirror with another id")]
    public void A_marker_the_store_did_not_write_there_is_a_new_message(string why)
    {
        var canonical = Guid.CreateVersion7();
        var own = why == "unknown marker" ? OwnWrites() : OwnWrites(new OwnWrite(canonical, canonical, "msg_1", IsNote: false));

        var result = Detect([Samples.Observed("msg_9", "quoting the mirror") with { SyncId = canonical }], NoSnapshot, own);

        var change = Assert.Single(result.Changes);
        Assert.Equal(ChangeKind.Created, change.Kind);
        Assert.NotEqual(canonical, change.CanonicalId);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void An_unknown_message_already_deleted_or_redacted_is_ignored(bool deleted, bool redacted)
    {
        var result = Detect([Samples.Observed("msg_1") with { IsDeleted = deleted, IsRedacted = redacted }], NoSnapshot);

        Assert.Same(DetectionResult.Empty, result);
    }

    [Fact]
    public void An_unchanged_message_produces_nothing()
    {
        var observed = Samples.Observed("msg_1");

        var result = Detect([observed], SnapshotOf(new SnapshotEntry("msg_1", Guid.CreateVersion7(), Hash(observed))));

        Assert.Same(DetectionResult.Empty, result);
    }

    [Fact]
    public void Whitespace_markup_and_signed_url_differences_are_not_edits()
    {
        var stored = Samples.Observed("msg_1", "Hello  world") with
        {
            BodyHtml = "<p><strong>Hello</strong>  world</p>",
            Attachments = [new Attachment("a", "https://cdn/a.png?sig=old&exp=1")],
        };
        var reread = Samples.Observed("msg_1", "\nHello world \n") with
        {
            BodyHtml = "<p>\n<b>Hello</b> world </p>",
            Attachments = [new Attachment("a", "https://cdn/a.png?sig=new&exp=2")],
        };

        var result = Detect([reread], SnapshotOf(new SnapshotEntry("msg_1", Guid.CreateVersion7(), Hash(stored))));

        Assert.Empty(result.Changes);
    }

    [Theory]
    [InlineData("Hello, world", 0)]
    [InlineData("Hello", 1)]
    public void Changed_text_or_attachments_are_an_edit_of_the_same_canonical_message(string newText, int attachments)
    {
        var canonical = Guid.CreateVersion7();
        var before = Samples.Observed("msg_1");
        var after = Samples.Observed("msg_1", newText) with
        {
            Attachments = [.. Enumerable.Range(0, attachments).Select(i => new Attachment($"f{i}", $"https://x/{i}"))],
            UpdatedAt = new DateTimeOffset(2025, 3, 1, 8, 30, 0, TimeSpan.Zero),
        };

        var result = Detect([after], SnapshotOf(new SnapshotEntry("msg_1", canonical, Hash(before))));

        var change = Assert.Single(result.Changes);
        Assert.Equal((ChangeKind.Edited, canonical, after.UpdatedAt!.Value), (change.Kind, change.CanonicalId, change.OccurredAt));
        Assert.Equal(newText, change.Message!.BodyText);
        Assert.Equal(after.UpdatedAt, change.Message.EditedAt);
        Assert.Equal(Hash(after), Assert.Single(result.Snapshots).ContentHash);
    }

    [Fact]
    public void A_person_editing_a_mirror_edits_the_mirrors_canonical_message()
    {
        var canonical = Guid.CreateVersion7();
        var mirror = new SnapshotEntry("cm_1", canonical, Hash(Samples.Observed("cm_1", "Original")));

        var result = _detector.Detect(Link, SystemId.Cord, [Samples.Observed("cm_1", "Corrected")], SnapshotOf(mirror), fullScan: false);

        var change = Assert.Single(result.Changes);
        Assert.Equal((ChangeKind.Edited, canonical, "cm_1"), (change.Kind, change.CanonicalId, change.ExternalId));
    }

    [Fact]
    public void A_redaction_is_reported_once()
    {
        var canonical = Guid.CreateVersion7();
        var observed = Samples.Observed("msg_1");
        var redacted = observed with { IsRedacted = true, BodyText = "[redacted]", BodyHtml = "" };

        var first = Detect([redacted], SnapshotOf(new SnapshotEntry("msg_1", canonical, Hash(observed))));
        var again = Detect([redacted], SnapshotOf(first.Snapshots.ToArray()));

        var change = Assert.Single(first.Changes);
        Assert.Equal((ChangeKind.Redacted, canonical, null), (change.Kind, change.CanonicalId, change.Message));
        Assert.True(Assert.Single(first.Snapshots).Redacted);
        Assert.Empty(again.Changes);
    }

    [Fact]
    public void Content_emptied_without_a_flag_is_a_redaction()
    {
        var observed = Samples.Observed("msg_1");

        var result = Detect([observed with { BodyText = "  ", BodyHtml = "<p></p>" }], SnapshotOf(new SnapshotEntry("msg_1", Guid.CreateVersion7(), Hash(observed))));

        Assert.Equal(ChangeKind.Redacted, Assert.Single(result.Changes).Kind);
    }

    [Fact]
    public void A_sync_marker_in_the_body_is_not_content()
    {
        var plain = Samples.Observed("msg_1");
        var marked = plain with { BodyHtml = MessageSync.Core.Content.SyncMarker.Append(plain.BodyHtml, Guid.CreateVersion7()) };

        var result = Detect([marked], SnapshotOf(new SnapshotEntry("msg_1", Guid.CreateVersion7(), Hash(plain))));

        Assert.Empty(result.Changes);
    }

    [Fact]
    public void Edits_after_a_redaction_are_ignored()
    {
        var result = Detect([Samples.Observed("msg_1", "new text")], SnapshotOf(new SnapshotEntry("msg_1", Guid.CreateVersion7(), "old", Redacted: true)));

        Assert.Same(DetectionResult.Empty, result);
    }

    [Fact]
    public void A_soft_deletion_is_reported_once_and_is_final()
    {
        var canonical = Guid.CreateVersion7();
        var observed = Samples.Observed("msg_1");
        var deletedAt = new DateTimeOffset(2025, 3, 1, 8, 45, 0, TimeSpan.Zero);

        var first = Detect([observed with { IsDeleted = true, DeletedAt = deletedAt }], SnapshotOf(new SnapshotEntry("msg_1", canonical, Hash(observed))));
        var undeleted = Detect([observed], SnapshotOf(first.Snapshots.ToArray()));

        var change = Assert.Single(first.Changes);
        Assert.Equal((ChangeKind.Deleted, canonical, deletedAt), (change.Kind, change.CanonicalId, change.OccurredAt));
        Assert.True(Assert.Single(first.Snapshots).Deleted);
        Assert.Same(DetectionResult.Empty, undeleted);
    }

    [Fact]
    public void A_baseline_we_wrote_is_adopted_without_an_edit_and_later_edits_count()
    {
        var canonical = Guid.CreateVersion7();
        var rendered = Samples.Observed("cm_1", "Hello as rendered by the target");

        var adopt = Detect([rendered], SnapshotOf(new SnapshotEntry("cm_1", canonical, null)));
        var edit = Detect([Samples.Observed("cm_1", "Changed by a person")], SnapshotOf(adopt.Snapshots.ToArray()));

        Assert.Empty(adopt.Changes);
        Assert.Equal(Hash(rendered), Assert.Single(adopt.Snapshots).ContentHash);
        Assert.Equal((ChangeKind.Edited, canonical), (Assert.Single(edit.Changes).Kind, edit.Changes[0].CanonicalId));
    }

    [Fact]
    public void A_baseline_we_wrote_that_reads_back_deleted_is_a_deletion()
    {
        var canonical = Guid.CreateVersion7();

        var result = Detect([Samples.Observed("cm_1") with { IsDeleted = true }], SnapshotOf(new SnapshotEntry("cm_1", canonical, null)));

        Assert.Equal((ChangeKind.Deleted, canonical), (Assert.Single(result.Changes).Kind, result.Changes[0].CanonicalId));
    }

    [Fact]
    public void A_full_scan_reports_vanished_messages_and_only_confirmed_ones_become_deletions()
    {
        var kept = Samples.Observed("keep");
        var gone = new SnapshotEntry("gone", Guid.CreateVersion7(), "h");
        var gap = new SnapshotEntry("gap", Guid.CreateVersion7(), "h");
        var goneBefore = new SnapshotEntry("gone-before", Guid.CreateVersion7(), "h", Deleted: true);
        var snapshot = SnapshotOf(new SnapshotEntry("keep", Guid.CreateVersion7(), Hash(kept)), gone, gap, goneBefore);

        var incremental = Detect([kept], snapshot);
        var full = Detect([kept], snapshot, fullScan: true);

        Assert.Empty(incremental.Vanished);
        Assert.Empty(full.Changes);
        Assert.Equal(["gap", "gone"], full.Vanished.Select(e => e.ExternalId));

        var confirmed = _detector.Confirm(full, [gone]);

        var change = Assert.Single(confirmed.Changes);
        Assert.Equal((ChangeKind.Deleted, gone.CanonicalId, "gone", _clock.GetUtcNow()), (change.Kind, change.CanonicalId, change.ExternalId, change.OccurredAt));
        Assert.True(Assert.Single(confirmed.Snapshots).Deleted);
        Assert.Empty(confirmed.Vanished);
    }

    [Fact]
    public void A_message_repeated_within_a_page_is_created_once()
    {
        var result = Detect([Samples.Observed("msg_1"), Samples.Observed("msg_1")], NoSnapshot);

        Assert.Single(result.Changes);
        Assert.Single(result.Snapshots);
    }

    [Fact]
    public void A_message_created_and_edited_within_one_page_is_created_then_edited()
    {
        var result = Detect([Samples.Observed("msg_1", "v1"), Samples.Observed("msg_1", "v2")], NoSnapshot);

        Assert.Equal([ChangeKind.Created, ChangeKind.Edited], result.Changes.Select(c => c.Kind));
        Assert.Equal(result.Changes[0].CanonicalId, result.Changes[1].CanonicalId);
    }

    [Fact]
    public void The_result_becomes_a_commit_for_its_link_system_and_cursor()
    {
        var result = Detect([Samples.Observed("msg_1")], NoSnapshot);

        var commit = result.ToCommit("link-1", SystemId.Pylon, "next", updateCursor: false);

        Assert.Equal(("link-1", SystemId.Pylon, "next", false), (commit.LinkId, commit.System, commit.Cursor, commit.UpdateCursor));
        Assert.Same(result.Changes, commit.Changes);
    }

    private static long UnixMillisOf(Guid v7)
    {
        var bytes = v7.ToByteArray(bigEndian: true);
        return ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
    }
}
