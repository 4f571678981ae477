using MessageSync.Simulators;

namespace MessageSync.Worker.Tests;

/// <summary>Traces and metrics over OTLP from a running worker to a receiver on loopback, while it syncs with the simulators.</summary>
public sealed class OtlpExportTests : IAsyncLifetime, IDisposable
{
    private const int Speed = 60;
    private readonly WorkerFolder _worker = new();
    private SimulatorHost _sims = null!;
    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        _sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Scaled, RateLimitScale = Speed });
        _sims.Pylon.CreateIssue("iss_1", "contact_1", "ana@example.com", "Ana");
        _sims.Helpdesk.CreateTicket("tkt_1");
    }

    [Fact]
    public async Task One_trace_runs_from_the_poll_across_the_bus_to_the_mirror_written_and_metrics_arrive_over_OTLP()
    {
        _sims.Pylon.AddMessage("iss_1", SimMessageKind.Customer, "<p>traced message</p>");
        using var worker = new RunningWorker(_worker.Start(
        [
            "run", "--Sync:Http:Urls=http://127.0.0.1:0", $"--Sync:State:Path={_worker.StatePath}",
            $"--Sync:Telemetry:OtlpEndpoint={_receiver.Url}", "--Sync:Telemetry:ExportInterval=00:00:00.500", "--Sync:Telemetry:OtlpHeaders=x-api-key=otlp-secret-key",
            "--Sync:Polling:ActiveInterval=00:00:00.200", "--Sync:Polling:RelayInterval=00:00:00.100",
            .. SimulatedSystems.Settings(_sims, Speed, cord: false),
            "--Sync:Links:0:Id=link-1", "--Sync:Links:0:PylonIssueId=iss_1", "--Sync:Links:0:HelpdeskTicketId=tkt_1",
        ]));

        await worker.WaitUntilAsync(() => _sims.Helpdesk.GetMessages("tkt_1").Any(m => m.Content.Contains("traced message", StringComparison.Ordinal)), "the message is mirrored", describe: Received);
        await worker.WaitUntilAsync(() => Chain() is not null, "the trace from poll to mirror written arrives", describe: Received);
        await worker.WaitUntilAsync(() => _receiver.Metrics.Any(m => m.Name == "messagesync.changes.applied" && m.IntegerSum >= 1)
            && _receiver.Metrics.Any(m => m.Name == "dotnet.gc.collections"), "metrics arrive", describe: Received);

        var (poll, publish, consume, write) = Chain()!.Value;
        Assert.Equal("MessageSync", poll.Scope);
        Assert.Equal(poll.SpanId, publish.ParentSpanId);
        Assert.Equal(4, publish.Kind);
        Assert.Equal("MassTransit", consume.Scope);
        Assert.Equal(3, write.Kind);
        Assert.Contains(_receiver.Metrics, m => m.Name == "messagesync.http.requests");
        Assert.DoesNotContain(worker.Lines, l => l.Contains("otlp-secret-key", StringComparison.Ordinal));
    }

    /// <summary>A poll span, the publish span under it, a MassTransit consume span and an HTTP POST (the helpdesk write), all in one trace.</summary>
    private (ReceivedSpan Poll, ReceivedSpan Publish, ReceivedSpan Consume, ReceivedSpan Write)? Chain()
    {
        var spans = _receiver.Spans;
        foreach (var poll in spans.Where(s => s.Name == "poll pylon"))
        {
            var trace = spans.Where(s => s.TraceId == poll.TraceId).ToList();
            var publish = trace.FirstOrDefault(s => s.Name == "outbox publish" && s.ParentSpanId == poll.SpanId);
            var consume = trace.FirstOrDefault(s => s.Scope == "MassTransit" && s.Kind == 5);
            var write = trace.FirstOrDefault(s => s.Kind == 3 && s.Name.StartsWith("POST", StringComparison.Ordinal));
            if (publish is not null && consume is not null && write is not null)
            {
                return (poll, publish, consume, write);
            }
        }

        return null;
    }

    private string Received() =>
        $"{_receiver.Requests} OTLP request(s); spans:\n" +
        string.Join('\n', _receiver.Spans.Select(s => $"{s.TraceId[..8]} {s.SpanId[..8]} <- {(s.ParentSpanId.Length > 0 ? s.ParentSpanId[..8] : "-")} {s.Kind} {s.Scope}: {s.Name}")) +
        $"\nmetrics: {string.Join(", ", _receiver.Metrics.Select(m => m.Name).Distinct())}";

    public async Task DisposeAsync()
    {
        await _sims.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    public void Dispose() => _worker.Dispose();
}
