using MessageSync.Adapters.Http;

namespace MessageSync.Adapters.Tests;

public class PageGuardTests
{
    private static GuardedPage<string> Apply(string? cursor, string[] ids, string? apiNext, bool more) =>
        PageGuard.Apply(cursor, ids, id => id, apiNext, more);

    [Fact]
    public void An_honoured_cursor_reads_on_and_remembers_the_list_start_and_the_last_id()
    {
        var first = Apply(null, ["a", "b"], "c2", more: true);
        var second = Apply(first.NextCursor, ["c", "d"], "c3", more: true);

        Assert.Equal(["a", "b"], first.Items);
        Assert.Equal(new PageMark("c2", "a", "b"), PageMark.Parse(first.NextCursor));
        Assert.Equal(["c", "d"], second.Items);
        Assert.Equal(new PageMark("c3", "a", "d"), PageMark.Parse(second.NextCursor));
    }

    [Fact]
    public void A_page_that_starts_the_list_again_ends_the_read_with_nothing_seen_twice()
    {
        var first = Apply(null, ["a", "b"], "x1", more: true);
        var again = Apply(first.NextCursor, ["a", "b"], "x2", more: true);

        Assert.Empty(again.Items);
        Assert.False(again.HasMore);
        Assert.Equal(first.NextCursor, again.NextCursor);
    }

    [Fact]
    public void The_whole_list_again_yields_only_what_follows_the_last_message_seen()
    {
        var first = Apply(null, ["a", "b"], "x1", more: true);
        var whole = Apply(first.NextCursor, ["a", "b", "c", "d"], "x2", more: true);

        Assert.Equal(["c", "d"], whole.Items);
        Assert.False(whole.HasMore);
    }

    [Fact]
    public void An_inclusive_cursor_loses_its_one_overlapping_message_and_reads_on()
    {
        var first = Apply(null, ["a", "b"], "c2", more: true);
        var second = Apply(first.NextCursor, ["b", "c"], "c3", more: true);

        Assert.Equal(["c"], second.Items);
        Assert.True(second.HasMore);
    }

    [Theory]
    [InlineData(false, "c2")]
    [InlineData(true, null)]
    [InlineData(true, "")]
    public void The_last_page_keeps_its_cursor_so_the_next_poll_rereads_it(bool more, string? apiNext)
    {
        var last = Apply("c1", ["a"], apiNext, more);
        Assert.False(last.HasMore);
        Assert.Equal("c1", last.NextCursor);
    }

    [Fact]
    public void A_cursor_the_api_hands_back_unchanged_ends_the_read()
    {
        var page = Apply("ms1:a:b:c7", ["x"], "c7", more: true);
        Assert.False(page.HasMore);
    }

    [Theory]
    [InlineData(null, null, null, null)]
    [InlineData("3", "3", null, null)]
    [InlineData("plain:cursor:with:colons", "plain:cursor:with:colons", null, null)]
    [InlineData("ms1:a%3A1:b:api:with:colons", "api:with:colons", "a:1", "b")]
    public void Cursors_written_before_the_guard_still_read_as_the_api_cursor(string? cursor, string? api, string? first, string? last) =>
        Assert.Equal(new PageMark(api, first, last), PageMark.Parse(cursor));

    [Fact]
    public void A_mark_formats_and_parses_back()
    {
        var mark = new PageMark("api:1", "first:id", "last/id");
        Assert.Equal(mark, PageMark.Parse(mark.Format()));
    }
}
