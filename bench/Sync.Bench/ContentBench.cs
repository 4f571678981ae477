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
        // A different body each time: the content pipeline remembers bodies it has seen (ContentMemo), and a repeated one
        // would time the memory, not the work.
        var bodies = Enumerable.Range(0, iterations + 1).Select(i => $"{Typical}<p>#{i}</p>").ToArray();
        Measure("sanitise: typical 0.5 KB message", iterations, i => HtmlSanitizer.Sanitize(bodies[i]), report);
        Measure("convert: HTML -> Cord content -> HTML", iterations, i => CordToHtml.Convert(HtmlToCord.Convert(bodies[i])), report);
        Measure("plain text from HTML", iterations, i => PlainText.FromHtml(bodies[i]), report);

        var large = new StringBuilder();
        while (large.Length < 1_000_000)
        {
            large.Append(Typical);
        }

        var big = large.ToString();
        Measure("sanitise: 1 MB hostile body", 3, i => HtmlSanitizer.Sanitize(big + i), report);
        var nested = string.Concat(Enumerable.Repeat("<div>", 10_000)) + "deep" + string.Concat(Enumerable.Repeat("</div>", 10_000));
        Measure("sanitise: 10,000 levels deep", 3, i => HtmlSanitizer.Sanitize(nested + i), report);
    }

    private static void Measure(string name, int iterations, Func<int, string> work, Action<Figure> report)
    {
        work(iterations); // warm-up, on an input the loop does not use
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            work(i);
        }

        var perOp = clock.Elapsed.TotalMilliseconds / iterations;
        report(iterations > 10 ? new(name, 1000 / perOp, "ops/s", $"{perOp:0.###} ms each") : new(name, perOp, "ms", "each"));
    }
}
