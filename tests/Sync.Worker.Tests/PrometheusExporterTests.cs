using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Worker.Http;

namespace MessageSync.Worker.Tests;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Counters_and_gauges_render_as_Prometheus_text()
    {
        using var exporter = new PrometheusExporter();
        using var metrics = new SyncMetrics();
        metrics.Detected(SystemId.Pylon, 3);
        metrics.Detected(SystemId.Pylon, 2);
        metrics.Applied(SystemId.Cord, "create");

        var text = exporter.Render([("sync_outbox_pending", "pending", [(PrometheusExporter.Labels(("link", "a\"b")), 4d)])]);

        Assert.Contains("# TYPE sync_changes_detected_total counter", text, StringComparison.Ordinal);
        Assert.Contains("sync_changes_detected_total{system=\"pylon\"} 5", text, StringComparison.Ordinal);
        Assert.Contains("sync_changes_applied_total{action=\"create\",system=\"cord\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("sync_outbox_pending{link=\"a\\\"b\"} 4", text, StringComparison.Ordinal);
    }
}
