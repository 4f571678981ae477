using System.Text.Json;
using System.Text.RegularExpressions;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Http;

namespace MessageSync.Worker.Tests;

/// <summary>config/monitoring: the alert rules pass their promtool unit tests, and the dashboard's and rules' queries are
/// valid PromQL over metrics the worker really exports.</summary>
public sealed partial class MonitoringTests
{
    private static readonly string Folder = Path.Combine(Repo.Root, "config", "monitoring");

    [Fact]
    public async Task The_alert_rules_are_valid_and_pass_their_unit_tests()
    {
        var check = await Promtool.RunAsync(null, "check", "rules", Path.Combine(Folder, "alerts.yml"));
        var test = await Promtool.RunAsync(null, "test", "rules", Path.Combine(Folder, "alerts.test.yml"));

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.True(test.ExitCode == 0, test.Output);
        Assert.Contains("SUCCESS", test.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_alert_has_a_unit_test()
    {
        var rules = await File.ReadAllTextAsync(Path.Combine(Folder, "alerts.yml"));
        var tests = await File.ReadAllTextAsync(Path.Combine(Folder, "alerts.test.yml"));

        var alerts = AlertName().Matches(rules).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(10, alerts.Count);
        Assert.All(alerts, alert => Assert.Contains($"alertname: {alert}\n", tests, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_dashboard_query_is_valid_PromQL()
    {
        var queries = DashboardQueries();
        var rules = new System.Text.StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < queries.Count; i++)
        {
            // Grafana's variables as Prometheus would see them after substitution.
            var expr = queries[i].Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$system", ".*", StringComparison.Ordinal)
                .Replace("$link", ".*", StringComparison.Ordinal).Replace("$job", ".*", StringComparison.Ordinal);
            rules.Append($"      - record: dashboard:query_{i}\n        expr: '{expr.Replace("'", "''", StringComparison.Ordinal)}'\n");
        }

        var file = Path.Combine(Path.GetTempPath(), $"ms-dashboard-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, rules.ToString());
        try
        {
            var (exit, output) = await Promtool.RunAsync(null, "check", "rules", file);
            Assert.True(exit == 0, output + "\n" + rules);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_dashboard_and_the_alerts_use_only_metrics_the_worker_exports()
    {
        var exported = ExportedNames();
        var used = DashboardQueries().Append(await File.ReadAllTextAsync(Path.Combine(Folder, "alerts.yml")))
            .SelectMany(q => MetricReference().Matches(q).Select(m => m.Value))
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, exported));
    }

    [Fact]
    public void The_dashboard_is_importable_json_with_a_datasource_variable()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "grafana-dashboard.json")));
        var root = dashboard.RootElement;

        Assert.Equal("messagesync", root.GetProperty("uid").GetString());
        Assert.Contains(root.GetProperty("templating").GetProperty("list").EnumerateArray(), v => v.GetProperty("type").GetString() == "datasource");
        var panels = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.All(panels, p => Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString()));
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
    }

    private static List<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "grafana-dashboard.json")));
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToList();
    }

    /// <summary>The names a scrape holds once every instrument has a value (histograms with their series suffixes).</summary>
    private static HashSet<string> ExportedNames()
    {
        using var metrics = new SyncMetrics();
        using var exporter = new PrometheusExporter(metrics);
        metrics.Detected(SystemId.Pylon, 1);
        metrics.Polled(SystemId.Pylon);
        metrics.Published(1);
        metrics.Failed(SystemId.Cord, "transient");
        metrics.Outcome(SystemId.Helpdesk, OutcomeKind.Parked);
        metrics.Applied(SystemId.Cord, "Create", Guid.CreateVersion7(), metrics.StartTimer());
        metrics.HttpAttempt(SystemId.Pylon, "reply", 429, TimeSpan.FromSeconds(0.1));
        metrics.RateLimitWait(SystemId.Pylon, "reply", TimeSpan.FromSeconds(1));
        metrics.HttpRetry(SystemId.Pylon, "reply");
        metrics.HttpFailure(SystemId.Pylon, "reply");
        metrics.ObserveState(new StoreStatus([new LinkStatus("l", new Dictionary<SystemId, int>(), 0, 1, DateTimeOffset.UtcNow,
            new Dictionary<OutcomeKind, int>(), new Dictionary<SystemId, DateTimeOffset>())]), new Dictionary<SystemId, string>());
        return SampleName().Matches(exporter.Render()).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^\s*- alert: (\w+)", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"\b(messagesync|process|dotnet)_[a-z_]+\b")]
    private static partial Regex MetricReference();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", RegexOptions.Multiline)]
    private static partial Regex SampleName();
}
