using System.Text;
using System.Text.Json.Nodes;
using MessageSync.Core.Content;
using MessageSync.Simulators;

namespace MessageSync.Core.Tests.Content;

public class SyncMarkerTests
{
    private static readonly Guid Id = Guid.Parse("0190a5c4-1234-7abc-8def-0123456789ab");

    [Fact]
    public void Render_is_an_empty_span_with_the_id() =>
        Assert.Equal("<span data-sync-id=\"0190a5c4-1234-7abc-8def-0123456789ab\"></span>", SyncMarker.Render(Id));

    [Fact]
    public void Append_then_find_returns_the_id() => Assert.Equal(Id, SyncMarker.Find(SyncMarker.Append("<p>Body</p>", Id)));

    [Fact]
    public void Append_replaces_an_existing_marker()
    {
        var other = Guid.NewGuid();
        var once = SyncMarker.Append("<p>Body</p>", other);
        var twice = SyncMarker.Append(once, Id);
        Assert.Equal(Id, SyncMarker.Find(twice));
        Assert.Single(twice.Split("data-sync-id").Skip(1));
        Assert.Equal(twice, SyncMarker.Append(twice, Id));
    }

    [Fact]
    public void Append_output_is_already_sanitised()
    {
        foreach (var body in new[] { "", "<p>a</p>", "<ul><li>x</li></ul>", "text", "<pre>code</pre>" })
        {
            var html = SyncMarker.Append(body, Id);
            Assert.Equal(html, HtmlSanitizer.Sanitize(html));
        }
    }

    [Theory]
    [InlineData("<p>x<span data-sync-id='0190a5c4-1234-7abc-8def-0123456789ab'></span></p>")]
    [InlineData("<p>x<span class=\"hidden\" data-sync-id=0190a5c4-1234-7abc-8def-0123456789ab style=\"display:none\"></span></p>")]
    [InlineData("<p>x<SPAN DATA-SYNC-ID=\"{0190A5C4-1234-7ABC-8DEF-0123456789AB}\"></SPAN></p>")]
    [InlineData("<div><span data-sync-id=\"0190a5c4-1234-7abc-8def-0123456789ab\" title=\"x\">text inside</span></div>")]
    [InlineData("<p>x<span data-sync-id=\"0190a5c412347abc8def0123456789ab\"></span></p>")]
    [InlineData("<p>x<span data-sync-id=\" 0190a5c4-1234-7abc-8def-0123456789ab \"></span></p>")]
    public void Find_tolerates_what_a_target_system_may_do_to_the_marker(string html) => Assert.Equal(Id, SyncMarker.Find(html));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("<p>no marker</p>")]
    [InlineData("<p>data-sync-id=\"0190a5c4-1234-7abc-8def-0123456789ab\" typed as text</p>")]
    [InlineData("<span data-sync-id=\"not-a-guid\"></span>")]
    public void Find_returns_null_without_a_marker_element(string? html) => Assert.Null(SyncMarker.Find(html));

    [Fact]
    public void Strip_removes_the_marker_and_nothing_else()
    {
        Assert.Equal("<p>Body <b>bold</b></p>", SyncMarker.Strip(SyncMarker.Append("<p>Body <b>bold</b></p>", Id)));
        Assert.Equal("<ul><li>x</li></ul>", SyncMarker.Strip(SyncMarker.Append("<ul><li>x</li></ul>", Id)));
        Assert.Equal(string.Empty, SyncMarker.Strip(SyncMarker.Render(Id)));
    }

    [Fact]
    public void Strip_keeps_text_a_target_put_inside_the_marker() =>
        Assert.Equal("<p>a kept</p>", SyncMarker.Strip($"<p>a <span data-sync-id=\"{Id}\">kept</span></p>"));
}

public class ContentHashTests
{
    [Fact]
    public void Hash_is_a_sha256_hex_string() => Assert.Matches("^[0-9a-f]{64}$", ContentHash.Of("<p>x</p>"));

    [Theory]
    [InlineData("<p>Hello world</p>", "<p>Hello   world</p>")]
    [InlineData("<p>Hello world</p>", "<p>\n  Hello\n  world\n</p>")]
    [InlineData("<p>Hello world</p>", "Hello world")]
    [InlineData("<p>Hello world</p>", "<div>Hello&nbsp;world</div>")]
    [InlineData("<p>a</p><p>b</p>", "<p>a</p>\n\n<p>b</p>")]
    [InlineData("<p><strong>a</strong></p>", "<p><b>a</b></p>")]
    [InlineData("<p>a</p>", "<p onclick=\"x()\" style=\"color:red\">a</p>")]
    public void Hash_ignores_differences_that_do_not_change_the_content(string a, string b) =>
        Assert.Equal(ContentHash.Of(a), ContentHash.Of(b));

    [Fact]
    public void Hash_ignores_the_sync_marker()
    {
        var body = "<p>Body</p>";
        Assert.Equal(ContentHash.Of(body), ContentHash.Of(SyncMarker.Append(body, Guid.NewGuid())));
    }

    [Theory]
    [InlineData("<p>Hello world</p>", "<p>Hello World</p>")]
    [InlineData("<p>a</p>", "<p><b>a</b></p>")]
    [InlineData("<p>a</p><p>b</p>", "<p>a b</p>")]
    [InlineData("<p><a href=\"https://a.example/\">x</a></p>", "<p><a href=\"https://b.example/\">x</a></p>")]
    public void Hash_changes_when_the_content_changes(string a, string b) => Assert.NotEqual(ContentHash.Of(a), ContentHash.Of(b));

    [Fact]
    public void Attachments_count_but_not_their_order()
    {
        var body = "<p>x</p>";
        var one = ContentHash.Of(body, ["https://f.example/1", "https://f.example/2"]);
        Assert.Equal(one, ContentHash.Of(body, ["https://f.example/2", "https://f.example/1"]));
        Assert.NotEqual(one, ContentHash.Of(body));
        Assert.NotEqual(one, ContentHash.Of(body, ["https://f.example/1"]));
        Assert.Equal(ContentHash.Of(body), ContentHash.Of(body, []));
    }

    [Fact]
    public void Empty_and_null_bodies_hash_alike() => Assert.Equal(ContentHash.Of(null), ContentHash.Of(""));
}

public class PlainTextTests
{
    [Theory]
    [InlineData("<p>one</p><p>two</p>", "one\n\ntwo")]
    [InlineData("<p>line 1<br>line 2</p>", "line 1\nline 2")]
    [InlineData("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>", "- a\n- b\n  - c")]
    [InlineData("<ol start=\"2\"><li>x</li><li>y</li></ol>", "2. x\n3. y")]
    [InlineData("<blockquote><p>quoted</p></blockquote>", "> quoted")]
    [InlineData("<pre>  keep\n    spacing</pre>", "  keep\n    spacing")]
    [InlineData("<p>  collapse \n  spaces  </p>", "collapse spaces")]
    [InlineData("<p>a &amp; b &lt;c&gt;</p>", "a & b <c>")]
    [InlineData("<div>x</div><script>alert(1)</script><div>y</div>", "x\n\ny")]
    [InlineData("<ul><li data-todo-id=\"t\" data-todo-done=\"true\">done</li><li data-todo-id=\"u\">open</li></ul>", "[x] done\n[ ] open")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Text_keeps_paragraphs_breaks_and_bullets(string? html, string expected) => Assert.Equal(expected, PlainText.FromHtml(html));
}

public class HostileSizeTests
{
    [Theory]
    [InlineData("<div>")]
    [InlineData("<b>")]
    [InlineData("<ul><li>")]
    [InlineData("<blockquote>")]
    [InlineData("<div><b>")]
    [InlineData("<table><tr><td>")]
    [InlineData("<a href=\"https://x.example/\">")]
    [InlineData("<span data-mention-id=\"u\">")]
    public void Ten_thousand_levels_of_nesting_complete_and_stay_bounded(string open)
    {
        var html = string.Concat(Enumerable.Repeat(open, 10_000)) + "deep text";
        var sanitized = HtmlSanitizer.Sanitize(html);
        Assert.Contains("deep text", sanitized, StringComparison.Ordinal);
        Assert.Equal(sanitized, HtmlSanitizer.Sanitize(sanitized));
        Assert.True(MaxDepth(sanitized) <= 64);

        var content = HtmlToCord.Convert(html);
        Assert.Empty(CordContentValidator.Validate(content));
        Assert.NotNull(JsonNode.Parse(content.ToJsonString())); // within System.Text.Json's default depth
        Assert.Contains("deep text", PlainText.FromHtml(html), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{64}$", ContentHash.Of(html));
        Assert.Null(SyncMarker.Find(html));
    }

    [Fact]
    public void Cord_content_nested_ten_thousand_levels_converts_without_overflow()
    {
        var leaf = new JsonObject { ["text"] = "deep" };
        JsonObject node = leaf;
        for (var i = 0; i < 10_000; i++)
            node = new JsonObject { ["type"] = i % 2 == 0 ? "quote" : "p", ["children"] = new JsonArray(node) };
        var content = new JsonArray(node);

        Assert.Contains("deep", CordToHtml.Convert(content), StringComparison.Ordinal);
        Assert.Equal("deep", CordPlainText.Of(content));
        Assert.Empty(CordContentValidator.Validate(content));
    }

    [Fact]
    public void Five_megabytes_of_html_complete()
    {
        var sb = new StringBuilder();
        var i = 0;
        while (sb.Length < 5 * 1024 * 1024)
        {
            sb.Append("<div class=\"x\" onclick=\"evil()\"><p>Paragraph ").Append(i++)
              .Append(" with <b>bold</b>, <a href=\"https://example.com/").Append(i).Append("\">a link</a> and <script>evil()</script>")
              .Append("<font color=red>old markup</font></p><ul><li>item</li></ul></div>\n");
        }

        var html = sb.ToString();
        var sanitized = HtmlSanitizer.Sanitize(html);
        Assert.DoesNotContain("<script", sanitized, StringComparison.Ordinal);
        Assert.DoesNotContain("onclick", sanitized, StringComparison.Ordinal);
        Assert.Contains($"Paragraph {i - 1} ", sanitized, StringComparison.Ordinal);
        Assert.NotEmpty(HtmlToCord.Convert(html));
    }

    [Fact]
    public void Five_megabytes_of_nesting_garbage_completes()
    {
        var html = string.Concat(Enumerable.Repeat("<div><span>", 500_000)) + "end";
        Assert.Contains("end", HtmlSanitizer.Sanitize(html), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<<<<>>>><p<p<p")]
    [InlineData("<a href=\"")]
    [InlineData("</p></p></div></li>")]
    [InlineData("<![CDATA[ x")]
    [InlineData("<!-- unterminated")]
    [InlineData("\0\u0001\uFFFE\uD800 broken surrogates")]
    [InlineData("<p>\r\n\r\n</p>")]
    public void Garbage_never_throws(string html)
    {
        var sanitized = HtmlSanitizer.Sanitize(html);
        Assert.Equal(sanitized, HtmlSanitizer.Sanitize(sanitized));
        _ = CordToHtml.Convert(HtmlToCord.Convert(html));
        _ = PlainText.FromHtml(html);
        _ = ContentHash.Of(html);
        _ = SyncMarker.Find(html);
    }

    private static int MaxDepth(string html)
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        var max = 0;
        var stack = new Stack<(AngleSharp.Dom.IElement, int)>();
        foreach (var c in document.Body!.Children)
            stack.Push((c, 1));
        while (stack.Count > 0)
        {
            var (e, d) = stack.Pop();
            max = Math.Max(max, d);
            foreach (var c in e.Children)
                stack.Push((c, d + 1));
        }

        return max;
    }
}
