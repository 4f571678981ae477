namespace MessageSync.Bench;

/// <summary>Runs <see cref="ScaleBench"/> and names its figures as issue 13 lists them for <c>latest.json</c>.</summary>
internal static class ScaleFigures
{
    public static async Task RunAsync(bool quick, string? rabbit, Action<Figure> report, IDictionary<string, object?> fields)
    {
        var messages = quick ? 1_000 : 10_000;
        var rawWrites = quick ? 2_000 : 20_000;
        fields["pipeline_messages"] = messages;

        var raw1 = await ScaleBench.RawWritesAsync(rawWrites, concurrency: 2);
        var raw16 = await ScaleBench.RawWritesAsync(rawWrites, concurrency: 16);
        report(new("raw: helpdesk + Cord creates, plain HTTP loop, 2 writers", raw1, "writes/s", $"{rawWrites} writes, no limits"));
        report(new("raw: helpdesk + Cord creates, plain HTTP loop, 16 writers", raw16, "writes/s", $"{rawWrites} writes, no limits"));
        fields["raw_writes_per_s"] = raw16;
        fields["raw_writes_per_s_2_writers"] = raw1;

        async Task<ScaleBench.PipelineRun> Pipeline(int links, string transport, string label, bool retention = true)
        {
            var run = await ScaleBench.PipelineAsync(messages, links, transport, retention);
            report(new($"pipeline ({label}, {links} link(s){(retention ? "" : ", retention off")}): mirrored writes", run.WritesPerSecond, "writes/s",
                $"{messages} Pylon messages -> {run.Written} mirrors in {run.Elapsed.TotalSeconds:0.0} s, limits off; start-up {run.Startup.TotalMilliseconds:0} ms; state {run.StateBytes / 1024} KiB; peak RSS {run.PeakRssBytes / 1048576} MiB (bench process, simulators included)"));
            return run;
        }

        var memory1 = await Pipeline(1, "InMemory", "in-memory");
        var memory100 = await Pipeline(100, "InMemory", "in-memory");
        var kept = await Pipeline(100, "InMemory", "in-memory", retention: false);
        fields["pipeline_writes_per_s_inmemory"] = memory100.WritesPerSecond;
        fields["pipeline_writes_per_s_inmemory_1_link"] = memory1.WritesPerSecond;
        fields["pipeline_to_raw_ratio"] = memory100.WritesPerSecond / raw16;
        fields["pipeline_to_raw_ratio_1_link"] = memory1.WritesPerSecond / raw1;
        fields["startup_ms"] = memory1.Startup.TotalMilliseconds;
        fields["state_bytes_per_message"] = (double)memory100.StateBytes / messages;
        fields["state_bytes_per_message_without_retention"] = (double)kept.StateBytes / messages;
        fields["peak_rss_mb"] = Math.Max(memory100.PeakRssBytes, kept.PeakRssBytes) / 1048576.0;
        fields["peak_rss_mappings"] = 2 * messages;

        // Only a run with 100,000 mappings answers peak_rss_mb_100k; the quick run has fewer and says so.
        fields["peak_rss_mb_100k"] = 2 * messages >= 100_000 ? fields["peak_rss_mb"] : null;
        if (!string.IsNullOrWhiteSpace(rabbit))
        {
            var rabbit1 = await Pipeline(1, rabbit, "RabbitMQ");
            var rabbit100 = await Pipeline(100, rabbit, "RabbitMQ");
            fields["pipeline_writes_per_s_rabbitmq"] = rabbit100.WritesPerSecond;
            fields["pipeline_writes_per_s_rabbitmq_1_link"] = rabbit1.WritesPerSecond;
        }
        else
        {
            fields["pipeline_writes_per_s_rabbitmq"] = null;
        }

        // Polling only, documented limits compressed x30: with the change feed and without, by link count.
        var lagMessages = quick ? 60 : 500;
        int[] counts = quick ? [10, 100] : [10, 100, 1000];
        foreach (var links in counts)
        {
            foreach (var feed in new[] { true, false })
            {
                var lags = await ScaleBench.PollingLagAsync(links, lagMessages, TimeSpan.FromMilliseconds(100), feed);
                var (p50, p99) = (ScaleBench.Percentile(lags, 0.5), ScaleBench.Percentile(lags, 0.99));
                report(new($"lag, polling only, {links} links, {(feed ? "change feed" : "no feed")}: p50", p50, "ms", $"{lagMessages} messages Pylon -> Cord, limits x30"));
                report(new($"lag, polling only, {links} links, {(feed ? "change feed" : "no feed")}: p99", p99, "ms", ""));
                fields[$"lag_poll_p50_ms_{links}{(feed ? "" : "_no_feed")}"] = p50;
                fields[$"lag_poll_p99_ms_{links}{(feed ? "" : "_no_feed")}"] = p99;
            }
        }

        fields.TryAdd("lag_poll_p99_ms_1000", null);

        var hookLinks = quick ? 100 : 1000;
        var hooks = await ScaleBench.WebhookLagAsync(hookLinks, quick ? 100 : 500, TimeSpan.FromMilliseconds(250));
        var (h50, h99) = (ScaleBench.Percentile(hooks, 0.5), ScaleBench.Percentile(hooks, 0.99));
        report(new($"lag, webhooks, {hookLinks} links: p50", h50, "ms", $"{hooks.Count} Cord messages -> Pylon notes, each announced by a signed webhook; polling at 5 min; limits x30"));
        report(new($"lag, webhooks, {hookLinks} links: p99", h99, "ms", ""));
        fields["lag_webhook_p50_ms"] = h50;
        fields["lag_webhook_p99_ms"] = h99;
        fields["lag_webhook_links"] = hookLinks;
    }
}
