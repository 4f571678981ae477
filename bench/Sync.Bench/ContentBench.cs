using System.Text;
using MessageSync.Core.Content;

namespace MessageSync.Bench;

/// <summary>Sanitising and converting message bodies: the per-message CPU cost of the content pipeline.</summary>
internal static class ContentBench
{
    public static void Run(int iterations, Action<Figure> report)
    {
        const string Typical = """
            <p>Hi <b>Ana</b>, thanks for the report.</p><p>Could you try the steps below?</p>
            <ol><li>Open <a href="https://app.example.com/export">the export page</a></li><li>Pick <i>UTF-8</i></li></ol>
            <blockquote>It fails with error 500</blockquote><p onclick="steal()">Best, <span style="color:red">Dana</span></p>
            <script>alert(1)</script><img src="javascript:alert(1)">
            """;
        Measure("sanitise: typical 0.5 KB message", iterations, () => HtmlSanitizer.Sanitize(Typical), report);
        Measure("convert: HTML -> Cord content -> HTML", iterations, () => CordToHtml.Convert(HtmlToCord.Convert(Typical)), report);
        Measure("plain text from HTML", iterations, () => PlainText.FromHtml(Typical), report);

        var large = new StringBuilder();
        while (large.Length < 1_000_000)
        {
            large.Append(Typical);
        }

        var big = large.ToString();
        Measure("sanitise: 1 MB hostile body", 3, () => HtmlSanitizer.Sanitize(big), report);
        var nested = string.Concat(Enumerable.Repeat("<div>", 10_000)) + "deep" + string.Concat(Enumerable.Repeat("</div>", 10_000));
        Measure("sanitise: 10,000 levels deep", 3, () => HtmlSanitizer.Sanitize(nested), report);
    }

    private static void Measure(string name, int iterations, Func<string> work, Action<Figure> report)
    {
        work();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            work();
        }

        var perOp = clock.Elapsed.TotalMilliseconds / iterations;
        report(iterations > 10 ? new(name, 1000 / perOp, "ops/s", $"{perOp:0.###} ms each") : new(name, perOp, "ms", "each"));
    }
}
