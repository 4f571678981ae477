using MessageSync.Core.Model;
using MessageSync.Worker.Engine;

namespace MessageSync.Worker.Tests;

public sealed class PollSchedulerTests
{
    private static readonly PollingSettings Settings = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15));
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    private static ConversationLink Link(string id) => new() { Id = id, PylonIssueId = "iss_" + id, CordThreadId = "th_" + id };

    [Fact]
    public void A_conversation_never_polled_is_due_at_once_with_a_full_scan()
    {
        var scheduler = new PollScheduler(_time);

        var (link, full, wait) = scheduler.Next(SystemId.Pylon, [Link("a")], Settings);

        Assert.Equal("a", link?.Id);
        Assert.True(full);
        Assert.Equal(TimeSpan.Zero, wait);
    }

    [Fact]
    public void Active_conversations_are_polled_more_often_than_idle_ones()
    {
        var scheduler = new PollScheduler(_time);
        ConversationLink[] links = [Link("active"), Link("idle")];
        scheduler.Polled("active", SystemId.Pylon, fullScan: true, changes: 3);
        scheduler.Polled("idle", SystemId.Pylon, fullScan: true, changes: 0);

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("active", scheduler.Next(SystemId.Pylon, links, Settings).Link?.Id);
        scheduler.Polled("active", SystemId.Pylon, fullScan: false, changes: 0);

        var (none, _, wait) = scheduler.Next(SystemId.Pylon, links, Settings);
        Assert.Null(none);
        Assert.Equal(TimeSpan.FromSeconds(5), wait);

        // Both overdue a minute later: the most overdue first, then the idle one.
        _time.Advance(TimeSpan.FromSeconds(55));
        Assert.Equal("active", scheduler.Next(SystemId.Pylon, links, Settings).Link?.Id);
        scheduler.Polled("active", SystemId.Pylon, fullScan: false, changes: 0);
        Assert.Equal("idle", scheduler.Next(SystemId.Pylon, links, Settings).Link?.Id);
    }

    [Fact]
    public void A_webhook_hint_goes_before_every_other_conversation()
    {
        var scheduler = new PollScheduler(_time);
        ConversationLink[] links = [Link("a"), Link("b")];
        scheduler.Polled("a", SystemId.Cord, fullScan: true, changes: 0);
        scheduler.Polled("b", SystemId.Cord, fullScan: true, changes: 0);

        Assert.Equal(1, scheduler.Hint(SystemId.Cord, "th_b", links));
        Assert.Equal(0, scheduler.Hint(SystemId.Cord, "th_unknown", links));

        var (link, full, _) = scheduler.Next(SystemId.Cord, links, Settings);
        Assert.Equal("b", link?.Id);
        Assert.False(full);
    }

    [Fact]
    public void Hints_are_served_in_the_order_they_arrived_so_a_busy_feed_starves_no_conversation()
    {
        // Issue 13: a feed hinting faster than the budget reads served the links listed first again and again, and the
        // last ones waited up to 37 s.
        var scheduler = new PollScheduler(_time);
        ConversationLink[] links = [Link("a"), Link("b"), Link("c")];
        foreach (var l in links)
        {
            scheduler.Polled(l.Id, SystemId.Cord, fullScan: true, changes: 0);
        }

        scheduler.Hint(SystemId.Cord, "th_c", links);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        scheduler.Hint(SystemId.Cord, "th_a", links);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        scheduler.Hint(SystemId.Cord, "th_b", links);

        var first = scheduler.Next(SystemId.Cord, links, Settings).Link?.Id;
        scheduler.Polled(first!, SystemId.Cord, fullScan: false, changes: 1);
        scheduler.Hint(SystemId.Cord, "th_c", links); // hinted again meanwhile: behind the two still waiting
        var second = scheduler.Next(SystemId.Cord, links, Settings).Link?.Id;
        scheduler.Polled(second!, SystemId.Cord, fullScan: false, changes: 1);
        var third = scheduler.Next(SystemId.Cord, links, Settings).Link?.Id;
        scheduler.Polled(third!, SystemId.Cord, fullScan: false, changes: 1);
        var fourth = scheduler.Next(SystemId.Cord, links, Settings).Link?.Id;

        Assert.Equal("c,a,b,c", string.Join(",", first, second, third, fourth));
    }

    [Fact]
    public void A_hint_that_arrives_while_its_conversation_is_being_polled_is_kept_for_another_poll()
    {
        var scheduler = new PollScheduler(_time);
        ConversationLink[] links = [Link("a"), Link("b")];
        scheduler.Polled("a", SystemId.Cord, fullScan: true, changes: 0);
        scheduler.Polled("b", SystemId.Cord, fullScan: true, changes: 0);
        scheduler.Hint(SystemId.Cord, "th_a", links);

        Assert.Equal("a", scheduler.Next(SystemId.Cord, links, Settings).Link?.Id);
        scheduler.Hint(SystemId.Cord, "th_a", links); // the message arrived after the poll's read began
        scheduler.Polled("a", SystemId.Cord, fullScan: false, changes: 0);

        Assert.Equal("a", scheduler.Next(SystemId.Cord, links, Settings).Link?.Id);
        scheduler.Polled("a", SystemId.Cord, fullScan: false, changes: 0);
        Assert.Null(scheduler.Next(SystemId.Cord, links, Settings).Link); // nothing due: both polled just now
    }

    [Fact]
    public void A_hinted_conversation_still_backing_off_holds_up_no_other()
    {
        var scheduler = new PollScheduler(_time);
        ConversationLink[] links = [Link("bad"), Link("good")];
        scheduler.Polled("good", SystemId.Cord, fullScan: true, changes: 0);
        for (var i = 0; i < 7; i++)
        {
            scheduler.Failed("bad", SystemId.Cord); // backs off 128 s after the seventh failure
        }

        scheduler.Hint(SystemId.Cord, "th_bad", links);
        _time.Advance(Settings.IdleInterval);

        Assert.Equal("good", scheduler.Next(SystemId.Cord, links, Settings).Link?.Id);
    }

    [Fact]
    public void A_failing_conversation_backs_off_alone_and_a_full_scan_comes_back_after_the_reconcile_interval()
    {
        var scheduler = new PollScheduler(_time);
        ConversationLink[] links = [Link("bad"), Link("good")];
        scheduler.Polled("good", SystemId.Cord, fullScan: true, changes: 0);
        scheduler.Failed("bad", SystemId.Cord);
        scheduler.Failed("bad", SystemId.Cord);

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Null(scheduler.Next(SystemId.Cord, links, Settings).Link);

        _time.Advance(TimeSpan.FromMinutes(15));
        var (link, full, _) = scheduler.Next(SystemId.Cord, links, Settings);
        Assert.NotNull(link);
        Assert.True(full);
    }
}
