using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using MessageSync.Core.Engine;

namespace MessageSync.Worker.Http;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format (0.0.4), written here because no Prometheus exporter package restores on
/// the project's machines. A <see cref="MeterListener"/> aggregates this host's <see cref="SyncMetrics"/> meter (that
/// instance only, so two hosts in one process never mix) and the runtime's <c>System.Runtime</c> meter: counters are
/// summed, histograms bucketed by the instrument's advised boundaries, observable instruments read at each scrape. Names
/// follow the OpenTelemetry-to-Prometheus rules: dots become underscores, the unit becomes a suffix (<c>s</c>:
/// <c>_seconds</c>, <c>By</c>: <c>_bytes</c>), counters end in <c>_total</c>. The classic <c>process_*</c> metrics are added
/// at each scrape. The output is checked by Prometheus's own parser (<c>promtool check metrics</c>) in the tests.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>OpenTelemetry's default boundaries, for a histogram that advises none.</summary>
    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly Lock _scrape = new();

    public PrometheusExporter(SyncMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == metrics.Meter || instrument.Meter.Name == RuntimeMeterName)
            {
                var family = new Family(instrument);
                _families[instrument] = family;
                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out Family? _);
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((Family)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>The exposition: every family (reading observable instruments now), then the process metrics.</summary>
    public string Render()
    {
        var text = new StringBuilder(16 * 1024);
        lock (_scrape)
        {
            foreach (var family in _families.Values.Where(f => f.Observable))
            {
                family.Reset(); // a series an observable stops reporting (a removed link) disappears
            }

            _listener.RecordObservableInstruments();
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                if (written.Add(family.Name))
                {
                    family.Write(text);
                }
            }
        }

        ProcessMetrics.Write(text);
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The Prometheus name of an OpenTelemetry-style instrument.</summary>
    public static string MetricName(string name, string? unit, bool counter, bool histogram = false)
    {
        // Prometheus keeps _count for histograms: a gauge "dotnet.timer.count" of {timer} becomes dotnet_timers.
        if (!counter && !histogram && name.EndsWith(".count", StringComparison.Ordinal))
        {
            var segments = name[..^".count".Length].Split('.').ToList();
            var thing = unit is ['{', .., '}'] ? unit[1..^1] : null;
            if (thing is not null && segments[^1] == thing)
            {
                segments.RemoveAt(segments.Count - 1);
            }

            segments.Add(thing is null ? "number" : thing.EndsWith('y') ? thing[..^1] + "ies" : thing + "s");
            name = string.Join('.', segments);
        }

        var metric = Sanitize(name, allowColon: true);
        var suffix = unit switch
        {
            null or "" => "",
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" => counter ? "" : "ratio",
            _ when unit.StartsWith('{') => "", // an annotation ({change}) names the thing counted, not a unit
            _ => Sanitize(unit, allowColon: false),
        };
        if (suffix.Length > 0 && !metric.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            metric += "_" + suffix;
        }

        return counter && !metric.EndsWith("_total", StringComparison.Ordinal) ? metric + "_total" : metric;
    }

    internal static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            if (!ok && text.Length > 0 && text[^1] == '_')
            {
                continue; // collapse a run of invalid characters into one underscore
            }

            text.Append(ok ? c : '_');
        }

        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }

    internal static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    internal static void Help(StringBuilder text, string name, string type, string? help)
    {
        if (!string.IsNullOrEmpty(help))
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        }

        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags, string? extraName = null, string? extraValue = null)
    {
        if (tags.Length == 0 && extraName is null)
        {
            return "";
        }

        var pairs = new List<(string Key, string Value)>(tags.Length + 1);
        foreach (var tag in tags)
        {
            pairs.Add((Sanitize(tag.Key, allowColon: false), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        if (extraName is not null)
        {
            pairs.Add((extraName, extraValue!));
        }

        return "{" + string.Join(",", pairs.Select(p => $"{p.Key}=\"{Escape(p.Value)}\"")) + "}";
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>One instrument: its series by label set.</summary>
    private sealed class Family
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly double[] _bounds;
        private readonly bool _sum;

        public Family(Instrument instrument)
        {
            Instrument = instrument;
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            Observable = instrument.IsObservable;
            Kind = generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>) ? "counter"
                : generic == typeof(Histogram<>) ? "histogram"
                : "gauge";
            // Counters and up-down counters add deltas; observables and gauges report the value itself.
            _sum = !Observable && (generic == typeof(Counter<>) || generic == typeof(UpDownCounter<>));
            _bounds = Kind == "histogram" ? Boundaries(instrument) : [];
            Name = MetricName(instrument.Name, instrument.Unit, Kind == "counter", Kind == "histogram");
        }

        public Instrument Instrument { get; }
        public string Name { get; }
        public string Kind { get; }
        public bool Observable { get; }

        public void Reset() => _series.Clear();

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = _series.GetOrAdd(Labels(tags), labels => new Series(labels, _bounds.Length));
            lock (series)
            {
                if (Kind == "histogram")
                {
                    var bucket = Array.FindIndex(_bounds, b => value <= b);
                    series.Buckets[bucket < 0 ? _bounds.Length : bucket]++;
                    series.Sum += value;
                    series.Count++;
                }
                else
                {
                    series.Value = _sum ? series.Value + value : value;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            if (_series.IsEmpty)
            {
                return;
            }

            Help(text, Name, Kind, Instrument.Description);
            foreach (var series in _series.Values.OrderBy(s => s.Labels, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (Kind != "histogram")
                    {
                        text.Append(Name).Append(series.Labels).Append(' ').Append(Number(series.Value)).Append('\n');
                        continue;
                    }

                    long cumulative = 0;
                    for (var i = 0; i <= _bounds.Length; i++)
                    {
                        cumulative += series.Buckets[i];
                        var le = i < _bounds.Length ? Number(_bounds[i]) : "+Inf";
                        text.Append(Name).Append("_bucket").Append(WithLe(series.Labels, le)).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }

                    text.Append(Name).Append("_sum").Append(series.Labels).Append(' ').Append(Number(series.Sum)).Append('\n');
                    text.Append(Name).Append("_count").Append(series.Labels).Append(' ').Append(series.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        private static string WithLe(string labels, string le) => labels.Length == 0 ? $"{{le=\"{le}\"}}" : $"{labels[..^1]},le=\"{le}\"}}";

        private static double[] Boundaries(Instrument instrument) => instrument switch
        {
            Histogram<double> { Advice.HistogramBucketBoundaries: { } advised } => [.. advised],
            Histogram<long> { Advice.HistogramBucketBoundaries: { } advised } => [.. advised.Select(b => (double)b)],
            Histogram<int> { Advice.HistogramBucketBoundaries: { } advised } => [.. advised.Select(b => (double)b)],
            _ => DefaultBuckets,
        };
    }

    private sealed class Series(string labels, int bounds)
    {
        public string Labels { get; } = labels;
        public double Value { get; set; }
        public long[] Buckets { get; } = new long[bounds + 1];
        public double Sum { get; set; }
        public long Count { get; set; }
    }

    /// <summary>The process metrics every Prometheus client exports, under their conventional names.</summary>
    private static class ProcessMetrics
    {
        public static void Write(StringBuilder text)
        {
            using var process = Process.GetCurrentProcess();
            Gauge(text, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", process.TotalProcessorTime.TotalSeconds);
            Gauge(text, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", process.WorkingSet64);
            Gauge(text, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", process.VirtualMemorySize64);
            Gauge(text, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
                new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000d);
            if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd"))
            {
                Gauge(text, "process_open_fds", "gauge", "Number of open file descriptors.", Directory.EnumerateFileSystemEntries("/proc/self/fd").Count());
                if (MaxOpenFiles() is { } max)
                {
                    Gauge(text, "process_max_fds", "gauge", "Maximum number of open file descriptors.", max);
                }
            }
        }

        private static void Gauge(StringBuilder text, string name, string type, string help, double value)
        {
            Help(text, name, type, help);
            text.Append(name).Append(' ').Append(Number(value)).Append('\n');
        }

        private static double? MaxOpenFiles()
        {
            try
            {
                // "Max open files            1048576              1048576              files"
                var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
                var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                return double.TryParse(soft, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}
