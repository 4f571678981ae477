using System.Reflection;
using MessageSync.Core.Engine;
using MessageSync.Core.State;
using MessageSync.Worker.Http;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MessageSync.Worker.Hosting;

/// <summary>
/// OpenTelemetry export when <c>Sync:Telemetry:OtlpEndpoint</c> is set: metrics (the <c>MessageSync</c> and
/// <c>System.Runtime</c> meters, cumulative, every <c>ExportInterval</c>) and traces (MessageSync's poll and publish spans,
/// MassTransit's send and consume, HttpClient's requests) over OTLP. Started before the engine so no early measurement is
/// missed; flushed on stop, so a backfill's last figures leave with it. OpenTelemetry.Extensions.Hosting does not restore
/// here, so the providers are built and disposed by hand.
/// </summary>
public sealed partial class OtlpTelemetry(
    IOptions<SyncOptions> options, SyncMetrics metrics, IStateStore store, SystemPause pause, ILogger<OtlpTelemetry> logger) : IHostedService, IDisposable
{
    /// <summary>The activity sources traced: ours, MassTransit's (send, receive, consume) and HttpClient's.</summary>
    public static readonly string[] TracedSources = [SyncActivities.SourceName, "MassTransit", "System.Net.Http"];

    private MeterProvider? _meters;
    private TracerProvider? _traces;
    private CancellationTokenSource? _stopping;
    private Task? _stateLoop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var telemetry = options.Value.Telemetry;
        if (string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint))
        {
            return;
        }

        var version = typeof(OtlpTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var resource = ResourceBuilder.CreateDefault().AddService(telemetry.ServiceName, serviceVersion: version, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}");
        _meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(SyncMetrics.MeterName, PrometheusExporter.RuntimeMeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, telemetry, "v1/metrics");
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)telemetry.ExportInterval.TotalMilliseconds;
            })
            .Build();
        _traces = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(TracedSources)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(telemetry.TraceSampleRatio)))
            .AddOtlpExporter(exporter =>
            {
                Configure(exporter, telemetry, "v1/traces");
                exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = (int)Math.Min(telemetry.ExportInterval.TotalMilliseconds, 5000);
            })
            .Build();

        // The state gauges are read from the store: keep them as fresh as the export (a scrape reads them itself).
        _stopping = new CancellationTokenSource();
        _stateLoop = ObserveStateAsync(telemetry.ExportInterval, _stopping.Token);
        var endpoint = SecretMask.Mask(telemetry.OtlpEndpoint);
        LogExporting(logger, endpoint, telemetry.OtlpProtocol);
        await Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is not null)
        {
            await _stopping.CancelAsync();
            await (_stateLoop ?? Task.CompletedTask);
        }

        // Whatever is still buffered leaves now (a backfill ends right after).
        _traces?.ForceFlush(5000);
        _meters?.ForceFlush(5000);
    }

    public void Dispose()
    {
        _traces?.Dispose();
        _meters?.Dispose();
        _stopping?.Dispose();
    }

    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions telemetry, string signalPath)
    {
        var endpoint = telemetry.OtlpEndpoint!.TrimEnd('/');
        exporter.Protocol = telemetry.OtlpProtocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        // Given in code, the HTTP endpoint is used as it is: the signal's path is ours to add (as OTEL_EXPORTER_OTLP_ENDPOINT would).
        exporter.Endpoint = new Uri(telemetry.OtlpProtocol == OtlpProtocol.Grpc ? endpoint : $"{endpoint}/{signalPath}");
        if (!string.IsNullOrWhiteSpace(telemetry.OtlpHeaders))
        {
            exporter.Headers = telemetry.OtlpHeaders;
        }
    }

    private async Task ObserveStateAsync(TimeSpan every, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                metrics.ObserveState(await store.GetStatusAsync(stoppingToken), pause.Paused);
                await Task.Delay(every, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogStateUnreadable(logger, ex.Message);
                await Task.Delay(every, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting traces and metrics over OTLP ({Protocol}) to {Endpoint}")]
    private static partial void LogExporting(ILogger logger, string endpoint, OtlpProtocol protocol);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry: the state store could not be read for the state gauges, they keep their last values: {Reason}")]
    private static partial void LogStateUnreadable(ILogger logger, string reason);
}
