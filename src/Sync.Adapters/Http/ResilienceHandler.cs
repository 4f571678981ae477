using System.Net;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MessageSync.Adapters.Http;

/// <summary>
/// Retries with exponential backoff and jitter (Polly.Core). Any 429 is retried after its <c>Retry-After</c> (the
/// request was not processed); 5xx, 408, timeouts and dropped connections are retried only for idempotent requests
/// (<see cref="SyncRequest.IsIdempotent"/>). A Pylon reply or note, or a helpdesk create, is never sent twice here:
/// the engine retries those after a FindMirror check.
/// </summary>
public sealed class ResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<bool> IdempotentKey = new("MessageSync.Idempotent");
    private static readonly ResiliencePropertyKey<string> EndpointKey = new("MessageSync.Endpoint");
    private readonly SystemId _system;
    private readonly SyncMetrics _metrics;
    private readonly TimeSpan _maxRetryAfter;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public ResilienceHandler(SystemId system, HttpPolicyOptions options, SyncMetrics metrics, TimeProvider? timeProvider = null)
    {
        _system = system;
        _metrics = metrics;
        _maxRetryAfter = options.MaxRetryAfter;
        _time = timeProvider ?? TimeProvider.System;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfterOf(args.Outcome.Result, _time.GetUtcNow())),
                OnRetry = args =>
                {
                    _metrics.HttpRetry(_system, args.Context.Properties.GetValue(EndpointKey, "default"));
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }

        _pipeline = builder.Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(IdempotentKey, request.IsIdempotent());
        context.Properties.Set(EndpointKey, request.GetEndpointClass());
        try
        {
            var response = await _pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<HttpResponseMessage>(state.Self.SendOnceAsync(state.Request, ctx.CancellationToken)),
                context,
                (Self: this, Request: request));
            var status = (int)response.StatusCode;
            if (status is 401 or 403 or 429 or >= 500)
            {
                _metrics.HttpFailure(_system, request.GetEndpointClass());
            }

            return response;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            _metrics.HttpFailure(_system, request.GetEndpointClass());
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var idempotent = context.Properties.GetValue(IdempotentKey, false);
        if (outcome.Result is { } response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return RetryAfterOf(response, _time.GetUtcNow()) is not { } wait || wait <= _maxRetryAfter;
            }

            return idempotent && ApiErrorTable.IsRetryableStatus(response.StatusCode);
        }

        // A dropped connection, a reset or a per-attempt timeout: the request may have been processed.
        return idempotent && outcome.Exception is HttpRequestException or TimeoutRejectedException or IOException
            or TaskCanceledException;
    }

    /// <summary>The wait a 429 or 503 asks for (a date is counted from <paramref name="now"/>); null lets the backoff decide.</summary>
    internal static TimeSpan? RetryAfterOf(HttpResponseMessage? response, DateTimeOffset now)
    {
        if (response?.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
