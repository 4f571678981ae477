using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace MessageSync.Worker.Http;

/// <summary>
/// Collects the project's meters (<c>MessageSync</c>, <c>MessageSync.Adapters</c>) with a <see cref="MeterListener"/> and renders
/// them as Prometheus text. Written here because no Prometheus exporter package restores on the project's machines.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), double> _counters = new();
    private readonly ConcurrentDictionary<string, (string Type, string? Help)> _meta = new();

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("MessageSync", StringComparison.Ordinal))
            {
                _meta[Sanitize(instrument.Name)] = (instrument is Counter<long> or Counter<double> or ObservableCounter<long> ? "counter" : "gauge", instrument.Description);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Extra gauges computed at scrape time (lag, queue depth, paused systems).</summary>
    public string Render(IEnumerable<(string Name, string Help, IEnumerable<(string Labels, double Value)> Samples)>? gauges = null)
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _counters.GroupBy(c => c.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (type, help) = _meta.TryGetValue(group.Key, out var m) ? m : ("counter", null);
            if (help is not null)
            {
                text.Append("# HELP ").Append(group.Key).Append(' ').Append(help).Append('\n');
            }

            text.Append("# TYPE ").Append(group.Key).Append(' ').Append(type).Append('\n');
            foreach (var sample in group.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
            {
                text.Append(group.Key).Append(sample.Key.Labels).Append(' ').Append(sample.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        foreach (var (name, help, samples) in gauges ?? [])
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(" gauge\n");
            foreach (var (labels, value) in samples)
            {
                text.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return text.ToString();
    }

    public static string Labels(params (string Key, string Value)[] labels) =>
        labels.Length == 0 ? "" : "{" + string.Join(",", labels.Select(l => $"{l.Key}=\"{Escape(l.Value)}\"")) + "}";

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new List<(string, string)>(tags.Length);
        foreach (var tag in tags)
        {
            labels.Add((Sanitize(tag.Key), tag.Value?.ToString() ?? ""));
        }

        labels.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        var key = (Sanitize(instrument.Name), Labels([.. labels]));
        if (instrument.IsObservable || instrument is UpDownCounter<long> or Histogram<double>)
        {
            _counters[key] = value;
        }
        else
        {
            _counters.AddOrUpdate(key, value, (_, old) => old + value);
        }
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
