using MessageSync.Core.Content;

namespace MessageSync.Core.Tests.Content;

public class ContentMemoTests
{
    [Theory]
    [MemberData(nameof(HtmlSanitizerTests.Vectors), MemberType = typeof(HtmlSanitizerTests))]
    public void A_remembered_result_is_the_result_of_parsing_afresh(string vector)
    {
        var fresh = HtmlSanitizer.SanitizeFresh(vector);
        Assert.Equal(fresh, HtmlSanitizer.Sanitize(vector));
        Assert.Equal(fresh, HtmlSanitizer.Sanitize(vector));
        Assert.Equal(HtmlWriter.Write(SyncMarker.StripToTree(vector)), SyncMarker.Strip(vector));
        Assert.Equal(HtmlWriter.Write(SyncMarker.StripToTree(vector)), SyncMarker.Strip(vector));
        Assert.Equal(PlainText.FromHtmlFresh(vector), PlainText.FromHtml(vector));
        Assert.Equal(PlainText.FromHtmlFresh(vector), PlainText.FromHtml(vector));
        Assert.Equal(ContentHash.Fingerprint(ContentHash.CanonicalText(fresh), ["https://a.example/f"]), ContentHash.Of(fresh, ["https://a.example/f"]));
        Assert.Equal(ContentHash.Of(fresh), ContentHash.Of(fresh));
    }

    [Theory]
    [MemberData(nameof(HtmlSanitizerTests.Vectors), MemberType = typeof(HtmlSanitizerTests))]
    public void Appending_the_marker_to_a_raw_body_equals_appending_it_to_the_sanitised_body(string vector)
    {
        // MirrorBody appends the marker to the composed body without sanitising it first: Append sanitises.
        var id = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        Assert.Equal(SyncMarker.Append(HtmlSanitizer.SanitizeFresh(vector), id), SyncMarker.Append(vector, id));
    }

    [Fact]
    public void The_marker_found_in_a_body_is_found_again_from_memory()
    {
        var id = Guid.NewGuid();
        var body = $"<p>hello<span data-sync-id=\"{id}\"></span></p>";
        Assert.Equal(id, SyncMarker.Find(body));
        Assert.Equal(id, SyncMarker.Find(body));
        Assert.Null(SyncMarker.Find("<p>no marker, data-sync-id named in text</p>"));
        Assert.Null(SyncMarker.Find("<p>no marker, data-sync-id named in text</p>"));
    }

    [Fact]
    public void The_memo_holds_at_most_two_generations_of_characters()
    {
        var memo = new ContentMemo<string>(v => v.Length);
        var entry = new string('x', 1_000);
        for (var i = 0; i < 5_000; i++)
        {
            memo.Get($"{i}:{entry}", key => key);
        }

        // Each entry is about 2,000 characters of key and value: a generation holds about 500.
        Assert.InRange(memo.Count, 1, 2 * (ContentMemo<string>.GenerationChars / 2_000) + 2);
    }

    [Fact]
    public void A_result_is_computed_once_while_it_is_remembered_and_a_long_body_every_time()
    {
        var memo = new ContentMemo<string>(v => v.Length);
        var calls = 0;
        string Compute(string key)
        {
            calls++;
            return key.ToUpperInvariant();
        }

        Assert.Equal("ABC", memo.Get("abc", Compute));
        Assert.Equal("ABC", memo.Get("abc", Compute));
        Assert.Equal(1, calls);

        var longBody = new string('a', ContentMemo<string>.MaxKeyChars + 1);
        memo.Get(longBody, Compute);
        memo.Get(longBody, Compute);
        Assert.Equal(3, calls);
    }

    [Fact]
    public void A_result_from_the_previous_generation_is_kept_without_computing_it_again()
    {
        var memo = new ContentMemo<string>(v => v.Length);
        var calls = 0;
        memo.Get("kept", key => { calls++; return key; });

        // Fill one generation: "kept" moves to the previous one, still answered from memory.
        var filler = new string('y', 10_000);
        for (var i = 0; memo.Count > 0 && i < ContentMemo<string>.GenerationChars / 20_000 + 5; i++)
        {
            memo.Add($"{i}:{filler}", filler);
        }

        Assert.Equal("kept", memo.Get("kept", key => { calls++; return key; }));
        Assert.Equal(1, calls);
    }
}
