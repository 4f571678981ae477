using System.Runtime.CompilerServices;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using MessageSync.Core.Content;
using MessageSync.Simulators;

namespace MessageSync.Core.Tests.Content;

public class HtmlSanitizerTests
{
    public static TheoryData<string> Vectors()
    {
        var data = new TheoryData<string>();
        foreach (var v in XssVectors.Load())
            data.Add(v);
        return data;
    }

    [Fact]
    public void The_corpus_holds_the_cheat_sheet_vectors() => Assert.True(XssVectors.Load().Count >= 80);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void No_active_content_survives_a_hostile_vector(string vector)
    {
        var output = HtmlSanitizer.Sanitize(vector);
        OutputChecker.AssertSafe(output);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Sanitize_is_idempotent_on_hostile_input(string vector)
    {
        // Parsed afresh both times: Sanitize remembers its output as a fixed point, and this test is why it may.
        var once = HtmlSanitizer.SanitizeFresh(vector);
        Assert.Equal(once, HtmlSanitizer.SanitizeFresh(once));
        Assert.Equal(once, HtmlSanitizer.Sanitize(vector));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Cord_conversion_of_hostile_input_stays_safe(string vector)
    {
        var html = CordToHtml.Convert(HtmlToCord.Convert(vector));
        OutputChecker.AssertSafe(html);
        Assert.Empty(CordContentValidator.Validate(HtmlToCord.Convert(vector)));
    }

    [Theory]
    [InlineData("<p>Hello <b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em> <u>u</u> <s>s</s> <code>c</code></p>")]
    [InlineData("<h1>Title</h1><h6>Small</h6><hr><pre>line 1\n  line 2</pre>")]
    [InlineData("<blockquote><p>quoted</p></blockquote>")]
    [InlineData("<ul><li>one</li><li>two<ol><li>nested</li></ol></li></ul>")]
    [InlineData("<p><a href=\"https://example.com/a?b=1&amp;c=2\">link</a> <a href=\"mailto:x@example.com\">mail</a></p>")]
    [InlineData("<p><span data-mention-id=\"user-1\">@Ann</span></p>")]
    public void Allowed_markup_is_kept_as_written(string html) => Assert.Equal(html, HtmlSanitizer.Sanitize(html));

    [Fact]
    public void Dangerous_elements_are_removed_with_their_content()
    {
        var output = HtmlSanitizer.Sanitize("<p>a<script>evil()</script><style>p{}</style><iframe>frame text</iframe>b</p>");
        Assert.Equal("<p>ab</p>", output);
    }

    [Fact]
    public void Unknown_elements_are_unwrapped_and_their_text_kept()
    {
        Assert.Equal("<p>hello big world</p>", HtmlSanitizer.Sanitize("<p><font color=red>hello</font> <big>big</big> <custom-el>world</custom-el></p>"));
    }

    [Fact]
    public void Div_like_containers_become_paragraphs()
    {
        Assert.Equal("<p>one</p><p>two</p>", HtmlSanitizer.Sanitize("<div>one</div><div>two</div>"));
        Assert.Equal("<p>a</p><p>b</p>", HtmlSanitizer.Sanitize("<table><tr><td>a</td><td>b</td></tr></table>"));
    }

    [Fact]
    public void Bare_text_is_wrapped_in_a_paragraph() => Assert.Equal("<p>just text</p>", HtmlSanitizer.Sanitize("just text"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n ")]
    [InlineData("<!-- only a comment -->")]
    public void Empty_input_gives_empty_output(string? html) => Assert.Equal(string.Empty, HtmlSanitizer.Sanitize(html));

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("JAVASCRIPT:alert(1)")]
    [InlineData("vbscript:msgbox(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("ftp://example.com/file")]
    [InlineData("/relative/path")]
    [InlineData("#fragment")]
    [InlineData("java\tscript:alert(1)")]
    [InlineData("\u0001javascript:alert(1)")]
    [InlineData("http:")]
    public void Links_without_an_allowed_scheme_lose_the_link_and_keep_the_text(string href)
    {
        var output = HtmlSanitizer.Sanitize($"<p><a href=\"{href.Replace("\"", "&quot;")}\">text</a></p>");
        Assert.Equal("<p>text</p>", output);
    }

    [Theory]
    [InlineData("http://example.com/")]
    [InlineData("HTTPS://example.com/x")]
    [InlineData("mailto:someone@example.com")]
    public void Links_with_an_allowed_scheme_are_kept(string href)
    {
        var output = HtmlSanitizer.Sanitize($"<p><a href=\"{href}\">text</a></p>");
        Assert.Equal($"<p><a href=\"{href}\">text</a></p>", output);
    }

    [Fact]
    public void Event_handler_style_and_unknown_attributes_are_dropped()
    {
        var output = HtmlSanitizer.Sanitize("<p onclick=\"x()\" style=\"color:red\" class=\"c\" id=\"i\">text</p>");
        Assert.Equal("<p>text</p>", output);
    }

    [Fact]
    public void A_span_without_an_allowed_data_attribute_is_unwrapped()
    {
        Assert.Equal("<p>plain</p>", HtmlSanitizer.Sanitize("<p><span class=\"x\" data-other=\"1\">plain</span></p>"));
    }

    [Fact]
    public void The_sync_marker_survives_sanitising()
    {
        var id = Guid.Parse("0190a5c4-1234-7abc-8def-0123456789ab");
        var html = SyncMarker.Append("<p>Hi</p>", id);
        var output = HtmlSanitizer.Sanitize(html);
        Assert.Equal(html, output);
        Assert.Equal(id, SyncMarker.Find(output));
    }

    [Fact]
    public void A_marker_id_that_is_not_a_guid_is_dropped()
    {
        Assert.Equal("<p>x</p>", HtmlSanitizer.Sanitize("<p>x<span data-sync-id=\"nope\"></span></p>"));
    }

    [Theory]
    [InlineData("<p>a<ul><li>b</li></ul>c</p>")]
    [InlineData("<b>bold<p>para</p>tail</b>")]
    [InlineData("<a href=\"https://x.example/\"><div>block link</div></a>")]
    [InlineData("<ul>stray text<li>item</li><ul><li>nested</li></ul></ul>")]
    [InlineData("<li>orphan item</li><li>second</li>")]
    [InlineData("<p><table><tr><td><p>quirks</p></td></tr></table></p>")]
    [InlineData("<h1>a<h2>b</h2></h1>")]
    [InlineData("<pre>\n\nleading newlines</pre>")]
    [InlineData("<blockquote><li>x</li>text<p>p</p></blockquote>")]
    [InlineData("<li><section><li>inner</li></section></li>")]
    [InlineData("<a href=\"https://a.example/\">a<a href=\"https://b.example/\">b</a></a>")]
    [InlineData("<p>&lt;script&gt; &amp;amp; &nbsp; \u00a0</p>")]
    [InlineData("<ol start=\"3\"><li value=\"7\">x</li></ol>")]
    [InlineData("<b><b><b><b><b>deep formatting</b></b></b></b></b>")]
    [InlineData("<ul><ul><ul><li>x</li></ul></ul></ul>")]
    public void Awkward_structure_is_normalised_to_a_fixed_point(string html)
    {
        var once = HtmlSanitizer.SanitizeFresh(html);
        Assert.Equal(once, HtmlSanitizer.SanitizeFresh(once));
        OutputChecker.AssertSafe(once);
    }

    [Fact]
    public void Formatting_around_a_paragraph_moves_inside_it()
    {
        Assert.Equal("<p><b>para</b></p>", HtmlSanitizer.Sanitize("<b><p>para</p></b>"));
    }
}

/// <summary>Loads xss-vectors.txt: beside the test binary when copied there, else from the source tree.</summary>
internal static class XssVectors
{
    private static List<string>? _cache;

    public static List<string> Load()
    {
        return _cache ??= File.ReadAllLines(Locate())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\0", "\0", StringComparison.Ordinal))
            .ToList();
    }

    private static string Locate([CallerFilePath] string sourceFile = "")
    {
        const string name = "xss-vectors.txt";
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "Content", name), Path.Combine(AppContext.BaseDirectory, name) };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            candidates.Add(Path.Combine(dir.FullName, "Content", name));
        candidates.Add(Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", name));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("xss-vectors.txt not found", name);
    }
}

/// <summary>Parses sanitiser output again with AngleSharp and checks that nothing active is in it.</summary>
internal static class OutputChecker
{
    private static readonly HashSet<string> Forbidden =
        ["script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "svg", "math", "img", "input", "link", "meta", "base", "template", "noscript"];

    public static void AssertSafe(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        foreach (var el in document.Body!.QuerySelectorAll("*").Concat(document.Head!.QuerySelectorAll("*")))
        {
            Assert.DoesNotContain(el.LocalName, Forbidden);
            Assert.Equal("http://www.w3.org/1999/xhtml", el.NamespaceUri);
            foreach (var attr in el.Attributes)
            {
                Assert.False(attr.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"event handler {attr.Name} in {html}");
                Assert.NotEqual("style", attr.Name);
                if (attr.Name is "href" or "src" or "action" or "formaction" or "data" or "background" or "xlink:href")
                {
                    var scheme = attr.Value.Split(':')[0].Trim().ToLowerInvariant();
                    Assert.Contains(scheme, new[] { "http", "https", "mailto" });
                }
            }
        }

        Assert.Empty(document.Head!.Children);
    }
}
