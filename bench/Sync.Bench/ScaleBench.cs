using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MessageSync.Simulators;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Http;
using Microsoft.AspNetCore.Builder;

namespace MessageSync.Bench;

/// <summary>
/// Issue 13's figures, side by side in one run: the pipeline's mirrored-write rate with rate limits off (one system into
/// the other two, 1 and 100 links, in memory and on RabbitMQ) against the simulators' raw write rate from a plain HTTP
/// client loop; polling-only lag at the documented limits compressed <see cref="LagSpeed"/> times, with and without the
/// change feed; state size per message with and without retention; start-up time and peak RSS.
/// </summary>
internal static class ScaleBench
{
    public const int LagSpeed = 60;

    public sealed record PipelineRun(double WritesPerSecond, long Written, TimeSpan Elapsed, TimeSpan Startup, long StateBytes, long PeakRssBytes, TimeSpan? BacklogRead = null);

    /// <summary>Raw write rate: helpdesk and Cord creates from a plain HTTP loop with <paramref name="concurrency"/> writers.</summary>
    public static async Task<double> RawWritesAsync(int writes, int concurrency)
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off });
        sims.Helpdesk.CreateTicket("tkt_raw");
        sims.Cord.CreateThread("th_raw", "Raw", "https://app.example.com/raw", "group_raw");
        using var helpdesk = new HttpClient { BaseAddress = sims.HelpdeskUrl };
        helpdesk.DefaultRequestHeaders.Authorization = new("Bearer", sims.MintHelpdeskToken("agent", TimeSpan.FromHours(1)));
        using var cord = new HttpClient { BaseAddress = sims.CordUrl };
        cord.DefaultRequestHeaders.Authorization = new("Bearer", sims.MintCordToken(TimeSpan.FromHours(1)));
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < writes)
            {
                await RawWriteAsync(helpdesk, cord, i);
            }
        }));
        return writes / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The plain client's write <paramref name="i"/>: a helpdesk response or a Cord message, alternately (no worker in between).</summary>
    public static async Task RawWriteAsync(HttpClient helpdesk, HttpClient cord, int i)
    {
        ArgumentNullException.ThrowIfNull(helpdesk);
        ArgumentNullException.ThrowIfNull(cord);
        using var response = i % 2 == 0
            ? await helpdesk.PostAsJsonAsync("helpdesk/api/messages", new JsonObject { ["ticket_id"] = "tkt_raw", ["type"] = "response", ["content"] = $"<p>raw {i}</p>", ["send_email"] = false })
            : await cord.PostAsJsonAsync("v1/threads/th_raw/messages", new JsonObject
            {
                ["id"] = $"raw{i}", ["authorID"] = "raw_user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "p", ["children"] = new JsonArray(new JsonObject { ["text"] = $"raw {i}" }) }),
            });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// <paramref name="messages"/> Pylon messages spread over <paramref name="links"/> links, mirrored into the helpdesk
    /// and Cord by the real worker host with rate limits off (simulators unlimited, budgets scaled out of the way).
    /// </summary>
    /// <remarks>
    /// With a <paramref name="window"/>, the rate is what was mirrored in the window that opens once the worker has read the
    /// whole backlog: a sustained backlog of <paramref name="messages"/> the whole time, steady state (the quick run).
    /// Without, it runs until every message is mirrored (or 30 min pass).
    /// </remarks>
    public static async Task<PipelineRun> PipelineAsync(int messages, int links, string transport, bool retention = true, TimeSpan? window = null)
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off });
        var args = Conversations(sims, links);
        for (var i = 0; i < messages; i++)
        {
            sims.Pylon.AddMessage($"iss_{i % links}", SimMessageKind.Customer, $"<p>pipeline {i}</p>");
        }

        var folder = NewFolder();
        args.AddRange(Worker(sims, folder, speed: 100_000));
        // Polling and the relay as shipped (appsettings.json): the rate limits are off, the intervals are not. Polling every
        // conversation every 200 ms instead (an earlier version) halved the 100-link rate: the re-reads took the CPU.
        if (!retention)
        {
            args.Add("--Sync:Retention:Enabled=false");
        }
        else
        {
            // Steady state compressed: what every system applied more than a second ago goes, every two seconds.
            args.AddRange(["--Sync:Retention:Interval=00:00:02", "--Sync:Retention:AppliedChanges=00:00:01"]);
        }

        if (transport != "InMemory")
        {
            var uri = new Uri(transport);
            args.AddRange(["--Sync:Transport=RabbitMQ", $"--Sync:RabbitMq:Host={uri.Host}", $"--Sync:RabbitMq:Port={uri.Port}"]);
        }

        // A `run` process of its own (the bench process keeps the simulators), killed at the end: a graceful stop would
        // first work off what the bus holds, the rest of a windowed backlog.
        var port = ChildWorker.FreePort();
        args.Add($"--Sync:Http:Urls=http://127.0.0.1:{port}");
        using var worker = ChildWorker.Start(args, folder);
        var startup = await ChildWorker.WaitReadyAsync(worker, port);
        long written;
        TimeSpan elapsed;
        TimeSpan? backlogRead = null;
        if (window is { } steady)
        {
            // Steady state: from the moment the whole backlog has been read (the worker's own count of detected changes,
            // /metrics), for the window; the rest of the backlog is abandoned at the kill. Started at the first mirror
            // instead, the window at 100 links held the reading of most issues, and so measured the first reads as well.
            var readBy = Stopwatch.StartNew();
            using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            while (await DetectedAsync(metrics) < messages && readBy.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(50);
            }

            backlogRead = readBy.Elapsed;
            var before = Written(sims, links);
            var clock = Stopwatch.StartNew();
            await Task.Delay(steady);
            written = Written(sims, links) - before;
            elapsed = clock.Elapsed;
        }
        else
        {
            var clock = Stopwatch.StartNew();
            var deadline = DateTime.UtcNow.AddMinutes(30);
            while (DateTime.UtcNow < deadline && Written(sims, links) < 2L * messages)
            {
                await Task.Delay(50);
            }

            elapsed = clock.Elapsed;
            written = Written(sims, links);
        }

        var peak = ChildWorker.PeakRssKb(worker.Id) * 1024;
        worker.Kill(entireProcessTree: true);
        await worker.WaitForExitAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var bytes = await UsedBytesAsync(Path.Combine(folder, "sync.db"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return new PipelineRun(written / elapsed.TotalSeconds, written, elapsed, startup, bytes, peak, backlogRead);
    }

    /// <summary>
    /// Polling only (no webhook), Pylon into Cord at the documented limits compressed <see cref="LagSpeed"/> times, with
    /// <paramref name="links"/> links: one message every <paramref name="gap"/> into a random linked issue, timed from its
    /// creation to its mirror in Cord. Returns the lags in ms (a message not mirrored within the wait counts as the wait).
    /// </summary>
    public static async Task<List<double>> PollingLagAsync(int links, int messages, TimeSpan gap, bool feed)
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = LagSpeed });
        var args = Conversations(sims, links, helpdesk: false);
        var folder = NewFolder();
        args.AddRange(Worker(sims, folder, LagSpeed));

        // The defaults (5 s active, 60 s idle, 15 min reconcile, feed every 10 s looking back 2 min) compressed like the
        // limits. Left at 2 min, the feed's overlap named every issue active in the last 2 min on each read, six times a
        // second: a 1,000-link read took several pages of the search budget.
        args.AddRange([
            $"--Sync:Polling:ActiveInterval={TimeSpan.FromSeconds(5.0 / LagSpeed)}", $"--Sync:Polling:IdleInterval={TimeSpan.FromSeconds(60.0 / LagSpeed)}",
            $"--Sync:Polling:ReconcileInterval={TimeSpan.FromMinutes(15.0 / LagSpeed)}", $"--Sync:Polling:Feeds:Interval={TimeSpan.FromSeconds(10.0 / LagSpeed)}",
            $"--Sync:Polling:Feeds:Overlap={TimeSpan.FromMinutes(2.0 / LagSpeed)}",
            $"--Sync:Polling:Feeds:Enabled={feed}", "--Sync:Polling:RelayInterval=00:00:00.050",
        ]);
        var app = await StartWorkerAsync(args);

        // Warm up: every conversation read once (the first round of a new worker is a full scan of each).
        var warm = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < warm && sims.Pylon.GetStats(PylonSimulator.ListMessages).Requests < links)
        {
            await Task.Delay(100);
        }

        var random = new Random(13);
        // Watched while sending: a mirror is timed when it shows, not when the sending is over.
        var watch = new LagWatch((thread, text) => sims.Cord.GetMessages(thread).Any(m => m.Plaintext.Contains(text, StringComparison.Ordinal)));
        var watching = watch.RunAsync();
        for (var i = 0; i < messages; i++)
        {
            var link = random.Next(links);
            var text = $"lag-{i}-end";
            sims.Pylon.AddMessage($"iss_{link}", SimMessageKind.Customer, $"<p>{text}</p>");
            watch.Sent(text, $"th_{link}");
            await Task.Delay(gap);
        }

        watch.SendingDone();
        var lags = await watching;
        await StopWorkerAsync(app, folder);
        return lags;
    }

    /// <summary>
    /// Webhooks: Cord into Pylon at the documented limits compressed <paramref name="speed"/> times, per-conversation polling
    /// slowed to 5 minutes and no feed, so only the webhook makes the worker read. One message every <paramref name="gap"/>
    /// into a random linked thread, each announced by a signed <c>thread-message-added</c> webhook; timed from its creation
    /// to its note in Pylon (the gap keeps under Pylon's note budget, 10/min x<paramref name="speed"/>).
    /// </summary>
    public static async Task<List<double>> WebhookLagAsync(int links, int messages, TimeSpan gap, int speed)
    {
        await using var sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = speed });
        var args = Conversations(sims, links, helpdesk: false);
        var folder = NewFolder();
        args.AddRange(Worker(sims, folder, speed));
        args.AddRange([
            "--Sync:Polling:ActiveInterval=00:05:00", "--Sync:Polling:IdleInterval=00:05:00", "--Sync:Polling:ReconcileInterval=01:00:00",
            "--Sync:Polling:Feeds:Enabled=false", "--Sync:Polling:RelayInterval=00:00:00.050",
        ]);
        var app = await StartWorkerAsync(args);
        var address = new Uri(app.Urls.First());
        using var http = new HttpClient { BaseAddress = address };
        var warm = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < warm && sims.Cord.GetStats(CordSimulator.ListThread).Requests < links)
        {
            await Task.Delay(100);
        }

        var random = new Random(13);
        var watch = new LagWatch((issue, text) => sims.Pylon.GetMessages(issue).Any(m => m.MessageHtml.Contains(text, StringComparison.Ordinal)));
        var watching = watch.RunAsync();
        for (var i = 0; i < messages; i++)
        {
            var link = random.Next(links);
            var text = $"hook-{i}-end";
            sims.Cord.AddMessage($"th_{link}", "cord_agent", text);
            watch.Sent(text, $"iss_{link}");
            var body = $$$"""{"type":"thread-message-added","applicationID":"{{{SimulatorDefaults.CordAppId}}}","event":{"threadID":"th_{{{link}}}"}}""";
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var signature = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(SimulatorDefaults.CordSecret), System.Text.Encoding.UTF8.GetBytes(timestamp + ":" + body)));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/cord") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Cord-Timestamp", timestamp);
            request.Headers.Add("X-Cord-Signature", signature);
            using var response = await http.SendAsync(request);
            await Task.Delay(gap);
        }

        watch.SendingDone();
        var lags = await watching;
        await StopWorkerAsync(app, folder);
        return lags;
    }

    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ms-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The worker in this process, as <c>run</c> builds it, with its HTTP endpoints.</summary>
    private static async Task<WebApplication> StartWorkerAsync(List<string> args)
    {
        var app = SyncHost.CreateBuilder([.. args], HostMode.Run).Build();
        app.MapSyncEndpoints();
        await app.StartAsync();
        return app;
    }

    /// <summary>Stops the worker and removes its state folder (the pooled SQLite connections first, or the file stays open).</summary>
    private static async Task StopWorkerAsync(WebApplication app, string folder)
    {
        await StopAsync(app);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// Stops the worker without draining what is in flight (a graceful stop waits for the bus's queued deliveries, up to
    /// the host's 30 s): the figures are taken, the rest of a backlog is abandoned. Its faults on the way out are expected.
    /// </summary>
    private static async Task StopAsync(WebApplication app)
    {
        using var abandon = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await app.StopAsync(abandon.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await app.DisposeAsync();
    }

    // The pages the state uses (freed pages are reused by SQLite, not returned to the file system, so the file's length
    // would hide what retention frees).
    private static async Task<long> UsedBytesAsync(string path)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); SELECT (p.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s;";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Changes the worker has detected in Pylon so far (<c>messagesync_changes_detected_total</c> on its /metrics).</summary>
    private static async Task<long> DetectedAsync(HttpClient worker)
    {
        const string Series = "messagesync_changes_detected_total{system=\"pylon\"} ";
        try
        {
            var text = await worker.GetStringAsync("metrics");
            var at = text.IndexOf(Series, StringComparison.Ordinal);
            if (at < 0)
            {
                return 0;
            }

            var value = text[(at + Series.Length)..].Split('\n', 2)[0];
            return (long)double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static long Written(SimulatorHost sims, int links)
    {
        long total = 0;
        for (var l = 0; l < links; l++)
        {
            total += sims.Helpdesk.GetMessages($"tkt_{l}").Count + sims.Cord.GetMessages($"th_{l}").Count;
        }

        return total;
    }

    /// <summary>
    /// Links of the three systems, or (<paramref name="helpdesk"/> false, the lag runs) of Pylon and Cord only: a lag
    /// message then costs one mirrored write, not two, and the lag is timed to the one other system.
    /// </summary>
    private static List<string> Conversations(SimulatorHost sims, int links, bool helpdesk = true)
    {
        var args = new List<string>();
        for (var l = 0; l < links; l++)
        {
            sims.Pylon.CreateIssue($"iss_{l}", "contact_b", "b@example.com", "Bench Customer");
            sims.Cord.CreateThread($"th_{l}", "Bench", "https://app.example.com/b", "group_b");
            args.AddRange([$"--Sync:Links:{l}:Id=link{l}", $"--Sync:Links:{l}:PylonIssueId=iss_{l}", $"--Sync:Links:{l}:CordThreadId=th_{l}"]);
            if (helpdesk)
            {
                sims.Helpdesk.CreateTicket($"tkt_{l}");
                args.Add($"--Sync:Links:{l}:HelpdeskTicketId=tkt_{l}");
            }
        }

        return args;
    }

    private static IEnumerable<string> Worker(SimulatorHost sims, string folder, double speed) =>
    [
        $"--Sync:State:Path={Path.Combine(folder, "sync.db")}", "--Sync:Http:Urls=http://127.0.0.1:0", "--Sync:Logging:MinimumLevel=Warning",
        $"--Sync:Pylon:BaseUrl={sims.PylonUrl}", $"--Sync:Pylon:ApiToken={SimulatorDefaults.PylonToken}", $"--Sync:Pylon:BudgetScale={speed}",
        $"--Sync:Helpdesk:BaseUrl={sims.HelpdeskUrl}", $"--Sync:Helpdesk:SessionToken={sims.MintHelpdeskToken("agent", TimeSpan.FromHours(1))}", $"--Sync:Helpdesk:BudgetScale={speed}",
        $"--Sync:Cord:BaseUrl={sims.CordUrl}", $"--Sync:Cord:ApplicationId={SimulatorDefaults.CordAppId}", $"--Sync:Cord:Secret={SimulatorDefaults.CordSecret}", $"--Sync:Cord:BudgetScale={speed}",
        "--Sync:People:0:HelpdeskAuthorId=author_b", "--Sync:People:0:PylonContactId=contact_b",
    ];

    /// <summary>
    /// Times each sent message from its creation to its mirror, checking every 10 ms while the messages are still being
    /// sent (an earlier version looked only after the last was sent, so every lag included the rest of the sending). A
    /// message not mirrored within 120 s after the last was sent counts as its time so far.
    /// </summary>
    private sealed class LagWatch(Func<string, string, bool> present)
    {
        private readonly Lock _gate = new();
        private readonly List<(string Text, string Where, long At)> _sent = [];
        private volatile bool _done;

        public void Sent(string text, string where)
        {
            lock (_gate)
            {
                _sent.Add((text, where, Stopwatch.GetTimestamp()));
            }
        }

        public void SendingDone() => _done = true;

        public async Task<List<double>> RunAsync()
        {
            var lags = new Dictionary<int, double>();
            long? until = null;
            while (true)
            {
                var finished = _done;
                List<(string Text, string Where, long At)> sent;
                lock (_gate)
                {
                    sent = [.. _sent];
                }

                for (var i = 0; i < sent.Count; i++)
                {
                    if (!lags.ContainsKey(i) && present(sent[i].Where, sent[i].Text))
                    {
                        lags[i] = Stopwatch.GetElapsedTime(sent[i].At).TotalMilliseconds;
                    }
                }

                if (finished)
                {
                    until ??= Stopwatch.GetTimestamp() + (120 * Stopwatch.Frequency);
                    if (lags.Count == sent.Count || Stopwatch.GetTimestamp() > until)
                    {
                        return [.. Enumerable.Range(0, sent.Count).Select(i => lags.TryGetValue(i, out var ms) ? ms : Stopwatch.GetElapsedTime(sent[i].At).TotalMilliseconds)];
                    }
                }

                await Task.Delay(10);
            }
        }
    }
}
