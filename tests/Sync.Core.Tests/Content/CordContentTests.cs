using System.Text.Json.Nodes;
using MessageSync.Core.Content;
using MessageSync.Simulators;

namespace MessageSync.Core.Tests.Content;

public class CordContentTests
{
    private static JsonArray Parse(string json) => JsonNode.Parse(json)!.AsArray();

    // One sample per Cord node type, in the exact shapes of cord-api-types-schema.json.
    public static TheoryData<string, string> CordSamples() => new()
    {
        { "paragraph", """[{"type":"p","children":[{"text":"Hello "},{"text":"world","bold":true}]}]""" },
        { "marks", """[{"type":"p","children":[{"text":"b","bold":true},{"text":"i","italic":true},{"text":"u","underline":true},{"text":"c","code":true},{"text":"all","bold":true,"italic":true,"underline":true,"code":true}]}]""" },
        { "mention", """[{"type":"p","children":[{"text":"Hi "},{"type":"mention","user":{"id":"user-42"},"children":[{"text":"@Ann"}]}]}]""" },
        { "link", """[{"type":"p","children":[{"type":"link","url":"https://example.com/a?b=1&c=2","children":[{"text":"a link"}]}]}]""" },
        { "bullet", """[{"type":"bullet","children":[{"text":"one"}]},{"type":"bullet","indent":1,"children":[{"text":"nested"}]},{"type":"bullet","children":[{"text":"two"}]}]""" },
        { "bullet indent jump", """[{"type":"bullet","children":[{"text":"top"}]},{"type":"bullet","indent":2,"children":[{"text":"deep"}]}]""" },
        { "number_bullet", """[{"type":"number_bullet","bulletNumber":1,"children":[{"text":"first"}]},{"type":"number_bullet","bulletNumber":2,"children":[{"text":"second"}]}]""" },
        { "number_bullet start", """[{"type":"number_bullet","bulletNumber":5,"children":[{"text":"five"}]},{"type":"number_bullet","bulletNumber":9,"children":[{"text":"nine"}]}]""" },
        { "quote", """[{"type":"quote","children":[{"text":"quoted text"}]}]""" },
        { "quote of paragraphs", """[{"type":"quote","children":[{"type":"p","children":[{"text":"a"}]},{"type":"p","children":[{"text":"b"}]}]}]""" },
        { "code", """[{"type":"code","children":[{"text":"var x = 1;\n  return x < 2;"}]}]""" },
        { "markdown", """[{"type":"markdown","children":[{"text":"**bold** _it_"}]}]""" },
        { "todo", """[{"type":"todo","todoID":"todo-1","done":false,"children":[{"text":"open task"}]},{"type":"todo","todoID":"todo-2","done":true,"children":[{"text":"done task"}]}]""" },
        { "assignee", """[{"type":"p","children":[{"text":"for "},{"type":"assignee","user":{"id":"user-7"},"children":[{"text":"@Bob"}]}]}]""" },
        { "line break", """[{"type":"p","children":[{"text":"line 1\nline 2"}]}]""" },
        { "mixed", """[{"type":"p","children":[{"text":"intro"}]},{"type":"bullet","children":[{"text":"x"}]},{"type":"number_bullet","bulletNumber":1,"children":[{"text":"y"}]},{"type":"quote","children":[{"text":"q"}]}]""" },
    };

    [Theory]
    [MemberData(nameof(CordSamples))]
    public void Every_node_type_survives_a_round_trip_through_html(string name, string json)
    {
        var content = Parse(json);
        var html = CordToHtml.Convert(content);
        var back = HtmlToCord.Convert(html);
        Assert.True(JsonNode.DeepEquals(content, back), $"{name}: {json}\n-> {html}\n-> {back.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(CordSamples))]
    public void Every_sample_is_valid_and_converts_to_valid_content(string name, string json)
    {
        Assert.Empty(CordContentValidator.Validate(Parse(json)));
        Assert.True(CordContentValidator.Validate(HtmlToCord.Convert(CordToHtml.Convert(Parse(json)))).Count == 0, name);
    }

    [Theory]
    [MemberData(nameof(CordSamples))]
    public void Cord_to_html_output_is_already_sanitised(string name, string json)
    {
        var html = CordToHtml.Convert(Parse(json));
        Assert.True(html == HtmlSanitizer.Sanitize(html), name);
    }

    [Theory]
    [InlineData("<p>Hello <b>bold</b> and <a href=\"https://x.example/\">link</a></p>")]
    [InlineData("<h2>Heading</h2><p>text   with\n  spaces</p>")]
    [InlineData("<ul><li>a<ul><li>b<ul><li>c<ul><li>d<ul><li>e<ul><li>f</li></ul></li></ul></li></ul></li></ul></li></ul></li></ul>")]
    [InlineData("<ol><li><p>para in item</p><p>second para</p></li><li>plain</li></ol>")]
    [InlineData("<blockquote><blockquote><p>nested quote</p></blockquote>tail</blockquote>")]
    [InlineData("<pre><code>  indented\n\ncode</code></pre><hr><p><s>struck</s> <u>under</u></p>")]
    [InlineData("<div>div<br>with break</div><table><tr><td>cell</td></tr></table>")]
    [InlineData("<p><span data-mention-id=\"u1\"><b>@Bold</b></span> <code>x</code></p>")]
    [InlineData("<ul><li data-todo-id=\"t\" data-todo-done=\"true\">task<ul><li>sub</li></ul></li></ul>")]
    [InlineData("plain text only")]
    [InlineData("<b>a<i>b<u>c<code>d</code></u></i></b>")]
    public void Html_round_trip_is_stable_on_the_second_pass(string html)
    {
        var first = CordToHtml.Convert(HtmlToCord.Convert(html));
        var second = CordToHtml.Convert(HtmlToCord.Convert(first));
        Assert.Equal(first, second);
        Assert.Empty(CordContentValidator.Validate(HtmlToCord.Convert(html)));
    }

    [Theory]
    [InlineData("""[{"text":"bare leaf at top level"}]""")]
    [InlineData("""[{"type":"p","class":"x","children":[{"text":"class dropped"}]}]""")]
    [InlineData("""[{"type":"bullet","indent":9,"children":[{"text":"too deep"}]}]""")]
    [InlineData("""[{"type":"link","url":"javascript:alert(1)","children":[{"text":"bad link"}]}]""")]
    [InlineData("""[{"type":"p","children":[{"type":"bullet","children":[{"text":"list in paragraph"}]}]}]""")]
    [InlineData("""[{"type":"unknown","children":[{"text":"kept text"}]},42,"str",null,{"nope":1}]""")]
    [InlineData("""[{"type":"p","children":[{"text":"  spaced   out  "}]}]""")]
    public void Cord_round_trip_is_stable_on_the_second_pass(string json)
    {
        var first = HtmlToCord.Convert(CordToHtml.Convert(Parse(json)));
        var second = HtmlToCord.Convert(CordToHtml.Convert(first));
        Assert.True(JsonNode.DeepEquals(first, second), $"{first.ToJsonString()} vs {second.ToJsonString()}");
        Assert.Empty(CordContentValidator.Validate(first));
    }

    [Fact]
    public void Html_maps_to_the_documented_node_shapes()
    {
        var content = HtmlToCord.Convert(
            "<p>Hi <span data-mention-id=\"u1\">@Ann</span>, see <a href=\"https://x.example/\">this</a></p>" +
            "<ol start=\"3\"><li>three</li></ol><blockquote>q</blockquote><pre><code>c</code></pre>");
        var expected = Parse("""
            [{"type":"p","children":[{"text":"Hi "},{"type":"mention","user":{"id":"u1"},"children":[{"text":"@Ann"}]},{"text":", see "},{"type":"link","url":"https://x.example/","children":[{"text":"this"}]}]},
             {"type":"number_bullet","bulletNumber":3,"children":[{"text":"three"}]},
             {"type":"quote","children":[{"text":"q"}]},
             {"type":"code","children":[{"text":"c"}]}]
            """);
        Assert.True(JsonNode.DeepEquals(expected, content), content.ToJsonString());
    }

    [Fact]
    public void Cord_to_html_uses_the_documented_elements()
    {
        var html = CordToHtml.Convert(Parse("""
            [{"type":"p","children":[{"type":"mention","user":{"id":"u1"},"children":[{"text":"@Ann"}]}]},
             {"type":"bullet","children":[{"text":"b"}]},{"type":"quote","children":[{"text":"q"}]},{"type":"code","children":[{"text":"c"}]}]
            """));
        Assert.Equal("<p><span data-mention-id=\"u1\">@Ann</span></p><ul><li>b</li></ul><blockquote>q</blockquote><pre><code>c</code></pre>", html);
    }

    [Fact]
    public void The_sync_marker_is_not_content_and_is_dropped_on_the_way_to_cord()
    {
        var id = Guid.NewGuid();
        var withMarker = SyncMarker.Append("<p>Hello</p>", id);
        var content = HtmlToCord.Convert(withMarker);
        Assert.True(JsonNode.DeepEquals(HtmlToCord.Convert("<p>Hello</p>"), content));
        Assert.DoesNotContain("data-sync-id", CordToHtml.Convert(content), StringComparison.Ordinal);
        Assert.Empty(HtmlToCord.Convert(SyncMarker.Render(id)));
    }

    [Fact]
    public void Unsafe_link_urls_from_cord_do_not_reach_html()
    {
        var html = CordToHtml.Convert(Parse("""[{"type":"p","children":[{"type":"link","url":" javascript:alert(1)","children":[{"text":"x"}]}]}]"""));
        Assert.Equal("<p>x</p>", html);
    }

    [Fact]
    public void Cord_text_is_escaped_not_interpreted()
    {
        var html = CordToHtml.Convert(Parse("""[{"type":"p","children":[{"text":"<script>alert(1)</script> & <b>"}]}]"""));
        Assert.Equal("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;</p>", html);
    }

    [Theory]
    [InlineData("""[{"type":"p","children":[{"text":"Hello "},{"text":"world","bold":true}]},{"type":"bullet","children":[{"text":"item"}]}]""", "Hello world\nitem")]
    [InlineData("""[{"type":"p","children":[{"type":"mention","user":{"id":"u"},"children":[{"text":"@Ann"}]},{"text":" hi"}]}]""", "@Ann hi")]
    [InlineData("""[{"type":"p","children":[{"text":"  padded  "}]}]""", "padded")]
    [InlineData("""[]""", "")]
    public void Plaintext_is_derived_as_cord_does(string json, string expected)
        => Assert.Equal(expected, CordPlainText.Of(Parse(json)));

    [Fact]
    public void Plaintext_of_null_is_empty() => Assert.Equal(string.Empty, CordPlainText.Of(null));
}
