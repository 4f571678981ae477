using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MessageSync.Worker.Tests;

/// <summary>
/// A local OTLP/HTTP receiver on loopback (POST /v1/traces and /v1/metrics, protobuf bodies), decoding just what the
/// tests look at: spans (trace, span and parent ids, name, kind, scope) and metric names with their integer sums.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<ReceivedMetric> _metrics = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Url => new(_app.Urls.First());

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public IReadOnlyList<ReceivedMetric> Metrics => [.. _metrics];

    public int Requests { get; private set; }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            foreach (var span in ReadSpans(await BodyAsync(request)))
            {
                receiver._spans.Enqueue(span);
            }

            receiver.Requests++;
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            foreach (var metric in ReadMetrics(await BodyAsync(request)))
            {
                receiver._metrics.Enqueue(metric);
            }

            receiver.Requests++;
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<byte[]> BodyAsync(HttpRequest request)
    {
        Assert.Equal("application/x-protobuf", request.ContentType);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    // opentelemetry-proto: ExportTraceServiceRequest{1: ResourceSpans{2: ScopeSpans{1: scope{1: name}, 2: Span}}}
    private static IEnumerable<ReceivedSpan> ReadSpans(byte[] body)
    {
        foreach (var resource in Protobuf.Messages(body, 1))
        {
            foreach (var scope in Protobuf.Messages(resource, 2))
            {
                var scopeName = Protobuf.Messages(scope, 1).Select(s => Protobuf.Text(s, 1)).FirstOrDefault() ?? "";
                foreach (var span in Protobuf.Messages(scope, 2))
                {
                    yield return new ReceivedSpan(
                        Convert.ToHexString(Protobuf.Bytes(span, 1)), Convert.ToHexString(Protobuf.Bytes(span, 2)), Convert.ToHexString(Protobuf.Bytes(span, 4)),
                        Protobuf.Text(span, 5) ?? "", (int)Protobuf.Varint(span, 6), scopeName);
                }
            }
        }
    }

    // ExportMetricsServiceRequest{1: ResourceMetrics{2: ScopeMetrics{2: Metric{1: name, 7: Sum{1: NumberDataPoint{6: as_int}}}}}}
    private static IEnumerable<ReceivedMetric> ReadMetrics(byte[] body)
    {
        foreach (var resource in Protobuf.Messages(body, 1))
        {
            foreach (var scope in Protobuf.Messages(resource, 2))
            {
                foreach (var metric in Protobuf.Messages(scope, 2))
                {
                    var sum = Protobuf.Messages(metric, 7).SelectMany(s => Protobuf.Messages(s, 1)).Sum(point => (long)Protobuf.Fixed64(point, 6));
                    yield return new ReceivedMetric(Protobuf.Text(metric, 1) ?? "", sum);
                }
            }
        }
    }
}

/// <summary>A span as exported: ids in hex, name, kind (1 internal, 2 server, 3 client, 4 producer, 5 consumer), instrumentation scope.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope);

/// <summary>A metric as exported: its OpenTelemetry name and the sum of its integer data points.</summary>
public sealed record ReceivedMetric(string Name, long IntegerSum);

/// <summary>Just enough of the protobuf wire format to read OTLP: fields by number, varints, fixed64, length-delimited.</summary>
public static class Protobuf
{
    public static IEnumerable<byte[]> Messages(byte[] message, int field) => Fields(message).Where(f => f.Field == field && f.Wire == 2).Select(f => f.Bytes);

    public static byte[] Bytes(byte[] message, int field) => Fields(message).FirstOrDefault(f => f.Field == field && f.Wire == 2).Bytes ?? [];

    public static string? Text(byte[] message, int field) => Fields(message).Where(f => f.Field == field && f.Wire == 2).Select(f => Encoding.UTF8.GetString(f.Bytes)).FirstOrDefault();

    public static ulong Varint(byte[] message, int field) => Fields(message).FirstOrDefault(f => f.Field == field && f.Wire == 0).Value;

    public static ulong Fixed64(byte[] message, int field) => Fields(message).FirstOrDefault(f => f.Field == field && f.Wire == 1).Value;

    private static IEnumerable<(int Field, int Wire, ulong Value, byte[] Bytes)> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message, ref position);
            var (field, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    yield return (field, wire, ReadVarint(message, ref position), []);
                    break;
                case 1:
                    yield return (field, wire, BitConverter.ToUInt64(message, position), []);
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    yield return (field, wire, 0, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    yield return (field, wire, BitConverter.ToUInt32(message, position), []);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wire} at {position}");
            }
        }
    }

    private static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
