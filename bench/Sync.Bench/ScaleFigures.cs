namespace MessageSync.Bench;

/// <summary>
/// Runs <see cref="ScaleBench"/>, <see cref="FootprintBench"/> and <see cref="BudgetBench"/> and names their figures as
/// issue 13 lists them for <c>latest.json</c>. Sections that measure CPU-bound speed (raw writes, the pipeline, state size,
/// start-up) and budget use run one at a time; the lag runs, bound by the compressed rate limits, run side by side, where
/// a wait on a budget leaves the cores to the others.
/// </summary>
internal static class ScaleFigures
{
    private static readonly int[] LinkCounts = [10, 100, 1000];
    private static readonly bool[] FeedOnOff = [true, false];

    /// <summary>
    /// The full run's sending period: its 3,500 lag messages (six polling runs and the webhook run, 500 each) offered at a
    /// quarter of the pipeline rate just measured (40 writes/s when it was not), within 100 s to 240 s.
    /// </summary>
    private static TimeSpan FullLagPeriod(IDictionary<string, object?> fields)
    {
        const int total = 7 * 500;
        var capacity = fields.TryGetValue("pipeline_writes_per_s_inmemory", out var rate) && rate is double r ? r : 40;
        return TimeSpan.FromSeconds(Math.Clamp(total / (capacity / 4), 100, 240));
    }

    public static async Task RunAsync(bool quick, string? rabbit, Action<Figure> report, IDictionary<string, object?> fields, Func<string, Func<Task>, Task> section, IReadOnlyCollection<string> lagRuns, IReadOnlyCollection<string> pipelineRuns)
    {
        // Quick: a 10,000-message backlog, the rate measured over a window of steady state; full: 100,000 to the end.
        var backlog = quick ? 10_000 : 100_000;
        TimeSpan? window = quick ? TimeSpan.FromSeconds(8) : null;
        var rawWrites = quick ? 1_000 : 20_000;

        await section("raw", async () =>
        {
            var raw2 = await ScaleBench.RawWritesAsync(rawWrites, concurrency: 2);
            var raw16 = await ScaleBench.RawWritesAsync(rawWrites, concurrency: 16);
            report(new("raw: helpdesk + Cord creates, plain HTTP loop, 2 writers", raw2, "writes/s", $"{rawWrites} writes, no limits"));
            report(new("raw: helpdesk + Cord creates, plain HTTP loop, 16 writers", raw16, "writes/s", $"{rawWrites} writes, no limits"));
            fields["raw_writes_per_s"] = raw16;
            fields["raw_writes_per_s_2_writers"] = raw2;
        });

        await section("pipeline", async () =>
        {
            fields["pipeline_messages"] = backlog;
            async Task<ScaleBench.PipelineRun?> Pipeline(int links, string transport, string label)
            {
                if (pipelineRuns.Count > 0 && !pipelineRuns.Contains($"{(transport == "InMemory" ? "inmemory" : "rabbitmq")}-{links}"))
                {
                    return null;
                }

                var run = await ScaleBench.PipelineAsync(backlog, links, transport, retention: true, window);
                report(new($"pipeline ({label}, {links} link(s)): mirrored writes", run.WritesPerSecond, "writes/s",
                    window is null
                        ? $"{backlog} Pylon messages -> {run.Written} mirrors in {run.Elapsed.TotalSeconds:0.0} s, limits off; start-up {run.Startup.TotalMilliseconds:0} ms"
                        : $"a backlog of {backlog} Pylon messages, read in {run.BacklogRead?.TotalSeconds:0.0} s after start-up ({run.Startup.TotalMilliseconds:0} ms); then {run.Written} mirrors in {run.Elapsed.TotalSeconds:0.0} s; limits off"));
                return run;
            }

            var memory100 = await Pipeline(100, "InMemory", "in-memory");
            var memory1 = await Pipeline(1, "InMemory", "in-memory");
            fields["pipeline_writes_per_s_inmemory"] = memory100?.WritesPerSecond;
            fields["pipeline_writes_per_s_inmemory_1_link"] = memory1?.WritesPerSecond;
            if (fields.TryGetValue("raw_writes_per_s", out var raw16) && raw16 is double r16 && fields["raw_writes_per_s_2_writers"] is double r2)
            {
                fields["pipeline_to_raw_ratio"] = memory100?.WritesPerSecond / r16;
                fields["pipeline_to_raw_ratio_1_link"] = memory1?.WritesPerSecond / r2;
            }

            if (!string.IsNullOrWhiteSpace(rabbit))
            {
                var rabbit100 = await Pipeline(100, rabbit, "RabbitMQ");
                var rabbit1 = await Pipeline(1, rabbit, "RabbitMQ");
                fields["pipeline_writes_per_s_rabbitmq"] = rabbit100?.WritesPerSecond;
                fields["pipeline_writes_per_s_rabbitmq_1_link"] = rabbit1?.WritesPerSecond;
            }
        });

        await section("state", async () =>
        {
            // Every message mirrored, then the store's used pages: with retention (compressed: what every system applied a
            // second ago goes, every two seconds) and without.
            var messages = quick ? 300 : 2_000;
            // Side by side: a size, not a speed.
            var keeping = ScaleBench.PipelineAsync(messages, 100, "InMemory", retention: false);
            var pruning = ScaleBench.PipelineAsync(messages, 100, "InMemory", retention: true);
            var (kept, pruned) = (await keeping, await pruning);
            report(new("state per synced message, retention on", (double)pruned.StateBytes / messages, "bytes", $"{messages} Pylon messages over 100 links, {pruned.Written} mirrors; store pages in use"));
            report(new("state per synced message, retention off", (double)kept.StateBytes / messages, "bytes", $"{messages} Pylon messages over 100 links, {kept.Written} mirrors"));
            fields["state_bytes_per_message"] = (double)pruned.StateBytes / messages;
            fields["state_bytes_per_message_without_retention"] = (double)kept.StateBytes / messages;
        });

        await section("footprint", async () =>
        {
            var footprint = await FootprintBench.RunAsync(links: 100, perLink: 500, pollFor: TimeSpan.FromSeconds(quick ? 10 : 120));
            report(new("start-up to ready, 100,000 mappings", footprint.Startup.TotalMilliseconds, "ms", "a `run` process on SQLite, from exec to /readyz 200"));
            report(new("peak RSS, 100,000 mappings", footprint.PeakRssMb, "MiB", $"the worker process's VmHWM; {footprint.Mappings} mappings over 100 links; polling {(quick ? 10 : 120)} s after ready: {footprint.Polled} of {footprint.Conversations} conversations read, {footprint.Reads} list requests"));
            fields["startup_ms"] = footprint.Startup.TotalMilliseconds;
            fields["peak_rss_mb_100k"] = footprint.PeakRssMb;
            fields["peak_rss_mappings"] = footprint.Mappings;
        });

        await section("budget", async () =>
        {
            // Alone, not beside the lag runs: the figure is how close the pacing comes to the budget, and a core taken by
            // another run delays each paced request a little (0.76-0.94 side by side).
            var budget = new List<Figure>();
            await BudgetBench.RunAsync(budget.Add);
            budget.ForEach(report);
            fields["budget_use_ratio"] = budget.First(f => f.Name == "Pylon budget: use of the budget").Value / 100;
            fields["http_429_count"] = budget.Where(f => f.Name.EndsWith("429s", StringComparison.Ordinal)).Sum(f => f.Value);
        });

        await section("latency", async () =>
        {
            // Bound by the compressed budgets, not the cores: side by side, each run sending over the same period. The full
            // run's offered load, all runs together, is a quarter of what the pipeline mirrored per second on this machine
            // in this run (100 s to 240 s), so the lag is the path's and not a backlog's: 500 messages per figure the issue
            // names. --quick sends them over 50 s (about 36 a second in all), keeps the no-feed comparisons to 100 messages
            // at 10 and 100 links (1,000 links without a feed needs a round of 50 s at x60: the full run's), and compresses
            // the webhook run's limits 120 times, so that 500 notes fit in 50 s at half the note budget. Each lag message
            // costs one mirrored write (Pylon and Cord links).
            var period = quick ? TimeSpan.FromSeconds(50) : FullLagPeriod(fields);
            var hookSpeed = quick ? 2 * ScaleBench.LagSpeed : ScaleBench.LagSpeed;
            fields["lag_period_s"] = period.TotalSeconds;
            var runs = new List<Task>();
            foreach (var links in LinkCounts)
            {
                foreach (var feed in FeedOnOff)
                {
                    if (quick && !feed && links == 1000)
                    {
                        continue;
                    }

                    var lagMessages = feed || !quick ? 500 : 100;
                    var gap = period / lagMessages;
                    Add($"{links}{(feed ? "" : "-nofeed")}", async () =>
                    {
                        var lags = await ScaleBench.PollingLagAsync(links, lagMessages, gap, feed);
                        var (p50, p99) = (ScaleBench.Percentile(lags, 0.5), ScaleBench.Percentile(lags, 0.99));
                        lock (fields)
                        {
                            report(new($"lag, polling only, {links} links, {(feed ? "change feed" : "no feed")}: p50", p50, "ms", $"{lagMessages} messages Pylon -> Cord, one every {gap.TotalMilliseconds:0} ms, limits x{ScaleBench.LagSpeed}"));
                            report(new($"lag, polling only, {links} links, {(feed ? "change feed" : "no feed")}: p99", p99, "ms", ""));
                            fields[$"lag_poll_p50_ms_{links}{(feed ? "" : "_no_feed")}"] = p50;
                            fields[$"lag_poll_p99_ms_{links}{(feed ? "" : "_no_feed")}"] = p99;
                        }
                    });
                }
            }

            bool Runs(string name) => lagRuns.Count == 0 || lagRuns.Contains(name);
            void Add(string name, Func<Task> run)
            {
                if (Runs(name))
                {
                    runs.Add(Task.Run(run));
                }
            }

            Add("webhook", async () =>
            {
                // At half Pylon's note budget (10/min x the speed) at most: the webhook path, not a backlog.
                var hookLinks = 1000;
                var hookGap = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(2.0 / 10 / hookSpeed).Ticks, (period / 500).Ticks));
                var hooks = await ScaleBench.WebhookLagAsync(hookLinks, 500, hookGap, hookSpeed);
                var (h50, h99) = (ScaleBench.Percentile(hooks, 0.5), ScaleBench.Percentile(hooks, 0.99));
                lock (fields)
                {
                    report(new($"lag, webhooks, {hookLinks} links: p50", h50, "ms", $"{hooks.Count} Cord messages -> Pylon notes, one every {hookGap.TotalMilliseconds:0} ms (at most half the note budget), each announced by a signed webhook; polling at 5 min; limits x{hookSpeed}"));
                    report(new($"lag, webhooks, {hookLinks} links: p99", h99, "ms", ""));
                    fields["lag_webhook_p50_ms"] = h50;
                    fields["lag_webhook_p99_ms"] = h99;
                    fields["lag_webhook_links"] = hookLinks;
                }
            });

            await Task.WhenAll(runs);
        });
    }
}
