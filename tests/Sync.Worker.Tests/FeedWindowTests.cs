using MessageSync.Core.Ports;
using MessageSync.Worker.Engine;

namespace MessageSync.Worker.Tests;

public sealed class FeedWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(2);
    private static readonly HashSet<string> Linked = new(["iss_a", "iss_b"], StringComparer.Ordinal);

    private static FeedRead Read(DateTimeOffset server, bool complete = true, params FeedActivity[] activity) => new(activity, server, complete, 1);

    [Fact]
    public void The_next_read_starts_at_the_previous_complete_reads_server_time_minus_the_overlap()
    {
        var window = new FeedWindow();
        var ourClock = T0.AddMinutes(30); // ours runs half an hour ahead of the system's: it must not matter

        Assert.Equal(ourClock - Overlap, window.Since(ourClock, Overlap));
        window.Apply(Read(T0), ourClock - Overlap, ourClock, Linked, fingerprints: false);

        Assert.Equal(T0 - Overlap, window.Since(ourClock, Overlap));
    }

    [Fact]
    public void An_incomplete_read_does_not_move_the_window()
    {
        var window = new FeedWindow();
        window.Apply(Read(T0), T0 - Overlap, T0, Linked, fingerprints: false);

        window.Apply(Read(T0.AddMinutes(5), complete: false), T0 - Overlap, T0.AddMinutes(5), Linked, fingerprints: false);

        Assert.Equal(T0 - Overlap, window.Since(T0.AddMinutes(5), Overlap));
    }

    [Fact]
    public void Activity_seen_again_inside_the_overlap_is_hinted_once_and_newer_activity_again()
    {
        var window = new FeedWindow();
        var at = T0.AddSeconds(-30);

        var first = window.Apply(Read(T0, true, new FeedActivity("iss_a", at)), T0 - Overlap, T0, Linked, false);
        var again = window.Apply(Read(T0.AddSeconds(10), true, new FeedActivity("iss_a", at)), T0 - Overlap, T0.AddSeconds(10), Linked, false);
        var newer = window.Apply(Read(T0.AddSeconds(20), true, new FeedActivity("iss_a", T0.AddSeconds(15))), T0.AddSeconds(10) - Overlap, T0.AddSeconds(20), Linked, false);

        Assert.Equal(["iss_a"], first);
        Assert.Empty(again);
        Assert.Equal(["iss_a"], newer);
    }

    [Fact]
    public void Activity_seen_while_fresh_is_hinted_again_as_a_second_message_may_share_its_time()
    {
        var window = new FeedWindow();
        var at = T0;

        window.Apply(Read(T0, true, new FeedActivity("iss_a", at)), T0 - Overlap, T0, Linked, false);
        var again = window.Apply(Read(T0.AddSeconds(5), true, new FeedActivity("iss_a", at)), T0 - Overlap, T0.AddSeconds(5), Linked, false);
        var settled = window.Apply(Read(T0.AddSeconds(10), true, new FeedActivity("iss_a", at)), T0 - Overlap, T0.AddSeconds(10), Linked, false);

        Assert.Equal(["iss_a"], again);
        Assert.Empty(settled);
    }

    [Fact]
    public void Fresh_activity_read_again_inside_its_tick_is_hinted_once_more_only_after_the_tick()
    {
        // Issue 13: with a feed read every 167 ms, each busy issue was hinted again by every read for two seconds, and the
        // hints outran Pylon's read budget.
        var window = new FeedWindow();
        var at = T0.AddMilliseconds(300);
        IReadOnlyList<string> Seen(DateTimeOffset server) =>
            window.Apply(Read(server, true, new FeedActivity("iss_a", at)), T0 - Overlap, server, Linked, false);

        var first = Seen(T0);             // the Date header is to the second: this read may have come before a twin
        var inside = Seen(T0);            // the same second again: nothing new can be known
        var after = Seen(T0.AddSeconds(1)); // still inside at + 1 s: the tick may not be over
        var over = Seen(T0.AddSeconds(2));
        var later = Seen(T0.AddSeconds(3));

        Assert.Equal(["iss_a"], first);
        Assert.Empty(inside);
        Assert.Empty(after);
        Assert.Equal(["iss_a"], over);
        Assert.Empty(later);
    }

    [Fact]
    public void A_conversation_not_linked_is_never_hinted()
    {
        var window = new FeedWindow();

        var hints = window.Apply(Read(T0, true, new FeedActivity("iss_other", T0)), T0 - Overlap, T0, Linked, false);

        Assert.Empty(hints);
    }

    [Fact]
    public void A_changed_fingerprint_is_hinted_whatever_the_times_say_and_a_thread_no_longer_listed_too()
    {
        var window = new FeedWindow();
        var old = T0.AddHours(-1); // before every window: an edit or a deletion need not move a time the feed shows
        window.Apply(Read(T0, true, new FeedActivity("iss_a", old, "1:aa"), new FeedActivity("iss_b", old, "1:bb")), T0 - Overlap, T0, Linked, true);

        var edited = window.Apply(Read(T0.AddSeconds(10), true, new FeedActivity("iss_a", old, "1:ab"), new FeedActivity("iss_b", old, "1:bb")), T0 - Overlap, T0.AddSeconds(10), Linked, true);
        var gone = window.Apply(Read(T0.AddSeconds(20), true, new FeedActivity("iss_a", old, "1:ab")), T0 - Overlap, T0.AddSeconds(20), Linked, true);
        var incomplete = window.Apply(Read(T0.AddSeconds(30), false, new FeedActivity("iss_a", old, "1:zz")), T0 - Overlap, T0.AddSeconds(30), Linked, true);

        Assert.Equal(["iss_a"], edited);
        Assert.Equal(["iss_b"], gone);
        Assert.Empty(incomplete);
    }
}
