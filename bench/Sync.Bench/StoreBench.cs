using MessageSync.Core.Detection;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace MessageSync.Bench;

/// <summary>Detection and the one-transaction commit (snapshot + canonical rows + outbox + cursor) on a real SQLite file.</summary>
internal static class StoreBench
{
    public static async Task RunAsync(int messages, Action<Figure> report)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ms-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var store = new StateStore(new SqliteDialect(Path.Combine(folder, "bench.db"), TimeSpan.FromSeconds(30)), TimeProvider.System, NullLogger<StateStore>.Instance);
            await store.InitializeAsync();
            var link = new ConversationLink { Id = "bench", PylonIssueId = "iss", CordThreadId = "th" };
            var page = Enumerable.Range(0, messages).Select(i => new ObservedMessage
            {
                ExternalId = $"msg_{i:D6}",
                Kind = i % 3 == 0 ? MessageKind.InternalNote : MessageKind.CustomerMessage,
                Author = new Author("Customer " + (i % 17)),
                BodyHtml = $"<p>message {i} with some ordinary support text about an export that fails</p>",
                BodyText = $"message {i} with some ordinary support text about an export that fails",
                CreatedAt = DateTimeOffset.UtcNow.AddSeconds(-messages + i),
            }).ToList();
            var detector = new ChangeDetector();

            DetectionResult detected = DetectionResult.Empty;
            var detect = await Timing.TimeAsync(() =>
            {
                detected = detector.Detect(link, SystemId.Pylon, page, new Dictionary<string, SnapshotEntry>(), fullScan: true);
                return Task.CompletedTask;
            });
            report(new("detect: new conversation", messages / detect.TotalSeconds, "msg/s", $"{messages} messages diffed against an empty snapshot"));

            var commit = await Timing.TimeAsync(() => store.CommitObservationAsync(detected.ToCommit(link.Id, SystemId.Pylon, "c1")));
            report(new("commit: snapshot+messages+outbox, 1 tx", messages / commit.TotalSeconds, "msg/s", $"{messages} rows each, {commit.TotalMilliseconds:0} ms"));

            var snapshot = await store.GetSnapshotAsync(link.Id, SystemId.Pylon);
            var steady = await Timing.TimeAsync(() =>
            {
                detector.Detect(link, SystemId.Pylon, page, snapshot, fullScan: true);
                return Task.CompletedTask;
            });
            report(new("detect: unchanged conversation (reconcile)", messages / steady.TotalSeconds, "msg/s", "full re-read, nothing changed"));

            var unpublished = await store.GetUnpublishedAsync(500);
            var mark = await Timing.TimeAsync(() => store.MarkPublishedAsync(unpublished.Select(u => u.Sequence)));
            report(new("outbox: mark published", unpublished.Count / mark.TotalSeconds, "rows/s", "batches of 500"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
