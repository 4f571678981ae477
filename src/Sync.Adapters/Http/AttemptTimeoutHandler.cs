using Polly;

namespace MessageSync.Adapters.Http;

/// <summary>
/// Bounds one attempt (Polly timeout). It sits inside the rate-limit handler so time spent waiting for a budget token
/// never counts against the attempt; a timed-out attempt surfaces as <see cref="Polly.Timeout.TimeoutRejectedException"/>
/// for the retry handler.
/// </summary>
public sealed class AttemptTimeoutHandler(TimeSpan attemptTimeout, TimeProvider? timeProvider = null) : DelegatingHandler
{
    private readonly ResiliencePipeline _pipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System }
        .AddTimeout(attemptTimeout)
        .Build();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(
            static (state, token) => new ValueTask<HttpResponseMessage>(state.Self.SendOnceAsync(state.Request, token)),
            (Self: this, Request: request),
            cancellationToken);

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
