using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Http;

namespace MessageSync.Worker.Tests;

/// <summary>The exposition's names, types and values; its syntax is checked by Prometheus's parser in <see cref="MetricsScrapeTests"/>.</summary>
public sealed class PrometheusExporterTests : IDisposable
{
    private readonly SyncMetrics _metrics = new();
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests() => _exporter = new PrometheusExporter(_metrics);

    [Fact]
    public void Counters_end_in_total_and_carry_system_and_endpoint_labels()
    {
        _metrics.Detected(SystemId.Pylon, 3);
        _metrics.Detected(SystemId.Pylon, 2);
        _metrics.HttpAttempt(SystemId.Pylon, "list-messages", 200, TimeSpan.FromMilliseconds(40));
        _metrics.HttpAttempt(SystemId.Pylon, "reply", 429, TimeSpan.FromMilliseconds(10));
        _metrics.RateLimitWait(SystemId.Pylon, "reply", TimeSpan.FromSeconds(1.5));

        var text = _exporter.Render();

        Assert.Contains("# TYPE messagesync_changes_detected_total counter", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_changes_detected_total{system=\"pylon\"} 5", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_http_requests_total{endpoint=\"list-messages\",status=\"200\",system=\"pylon\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_http_rate_limited_total{endpoint=\"reply\",system=\"pylon\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_http_rate_limit_wait_time_seconds_total{endpoint=\"reply\",system=\"pylon\"} 1.5", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\nsync_", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_latency_and_sync_lag_are_histograms_in_seconds()
    {
        var detectedSecondsAgo = Guid.CreateVersion7(DateTimeOffset.UtcNow.AddSeconds(-3));
        _metrics.Applied(SystemId.Cord, "AppendNote", detectedSecondsAgo, _metrics.StartTimer());

        var text = _exporter.Render();

        Assert.Contains("# TYPE messagesync_apply_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_apply_duration_seconds_bucket{action=\"append_note\",system=\"cord\",le=\"0.01\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_apply_duration_seconds_count{action=\"append_note\",system=\"cord\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE messagesync_sync_lag_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_sync_lag_seconds_bucket{system=\"cord\",le=\"2.5\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_sync_lag_seconds_bucket{system=\"cord\",le=\"5\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_sync_lag_seconds_bucket{system=\"cord\",le=\"+Inf\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_changes_applied_total{action=\"append_note\",system=\"cord\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void State_gauges_report_the_last_reading_and_drop_a_link_that_is_gone()
    {
        var oldest = DateTimeOffset.UtcNow.AddSeconds(-30);
        var link = new LinkStatus("a\"b", new Dictionary<SystemId, int>(), 0, 4, oldest,
            new Dictionary<OutcomeKind, int> { [OutcomeKind.UnpropagatedRedaction] = 2 }, new Dictionary<SystemId, DateTimeOffset>());
        _metrics.ObserveState(new StoreStatus([link]), new Dictionary<SystemId, string> { [SystemId.Helpdesk] = "401" });

        var text = _exporter.Render();
        _metrics.ObserveState(new StoreStatus([]), new Dictionary<SystemId, string>());
        var after = _exporter.Render();

        Assert.Contains("messagesync_outbox_pending{link=\"a\\\"b\"} 4", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_outcomes_open{kind=\"unpropagated_redaction\",link=\"a\\\"b\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_system_paused{system=\"helpdesk\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("messagesync_system_paused{system=\"pylon\"} 0", text, StringComparison.Ordinal);
        Assert.Matches(@"messagesync_outbox_oldest_age_seconds\{link=""a\\""b""\} (29|30|31)(\.\d+)?\n", text);
        Assert.DoesNotContain("messagesync_outbox_pending{", after, StringComparison.Ordinal);
        Assert.Contains("messagesync_system_paused{system=\"helpdesk\"} 0", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_and_runtime_metrics_are_exported()
    {
        var text = _exporter.Render();

        Assert.Contains("# TYPE process_cpu_seconds_total counter", text, StringComparison.Ordinal);
        Assert.Contains("process_resident_memory_bytes ", text, StringComparison.Ordinal);
        Assert.Contains("process_start_time_seconds ", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_gc_collections_total counter", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_process_memory_working_set_bytes ", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_timers gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_hosts_in_one_process_never_count_each_others_measurements()
    {
        using var other = new SyncMetrics();
        other.Detected(SystemId.Cord, 7);
        _metrics.Detected(SystemId.Cord, 1);

        Assert.Contains("messagesync_changes_detected_total{system=\"cord\"} 1\n", _exporter.Render(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("messagesync.changes.detected", "{change}", true, "messagesync_changes_detected_total")]
    [InlineData("messagesync.apply.duration", "s", false, "messagesync_apply_duration_seconds")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", true, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("dotnet.process.cpu.time", "s", true, "dotnet_process_cpu_time_seconds_total")]
    [InlineData("dotnet.gc.last_collection.memory.committed_size", "By", false, "dotnet_gc_last_collection_memory_committed_size_bytes")]
    [InlineData("messagesync.http.requests", null, true, "messagesync_http_requests_total")]
    [InlineData("dotnet.assembly.count", "{assembly}", false, "dotnet_assemblies")]
    [InlineData("dotnet.process.cpu.count", "{cpu}", false, "dotnet_process_cpus")]
    [InlineData("dotnet.thread_pool.thread.count", "{thread}", true, "dotnet_thread_pool_thread_count_total")]
    public void OpenTelemetry_names_become_Prometheus_names(string name, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusExporter.MetricName(name, unit, counter));

    [Fact]
    public void The_detection_time_is_read_from_the_change_id()
    {
        var at = new DateTimeOffset(2026, 1, 5, 9, 0, 0, 123, TimeSpan.Zero);

        Assert.Equal(at, SyncMetrics.DetectedAt(Guid.CreateVersion7(at)));
        Assert.Null(SyncMetrics.DetectedAt(Guid.NewGuid()));
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _metrics.Dispose();
    }
}
