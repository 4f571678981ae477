using System.Collections.Concurrent;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Ownership;

/// <summary>
/// Takes, renews and gives up this process's leases (DESIGN.md, "Several processes") and runs the work each one covers
/// (<see cref="OwnedWork"/>). Every <c>RenewInterval</c> it renews what it holds and tries to take what is free or expired;
/// a lease another process took is dropped at once (its polls are fenced meanwhile: their commits are refused). On a clean
/// stop it releases everything, so a standby takes over at its next attempt rather than after the lease expires.
/// </summary>
/// <remarks>
/// With the in-memory transport the relay and the apply endpoints share one process's memory, so this process holds every
/// lease or none: several processes need RabbitMQ.
/// </remarks>
public sealed partial class OwnershipService(
    IStateStore store, OwnedWork work, ProcessIdentity identity, SyncSettings settings, TimeProvider time, ILogger<OwnershipService> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>True while this process holds <paramref name="system"/>'s lease (polls it and applies changes to it).</summary>
    public bool Owns(SystemId system) => _held.ContainsKey(Leases.For(system));

    /// <summary>The leases held now, with their fencing tokens.</summary>
    public IReadOnlyDictionary<string, long> HeldLeases => _held.ToDictionary(h => h.Key, h => h.Value.Token, StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var options = settings.Current.Ownership;
                await RoundAsync(options, stoppingToken);
                await _wake.WaitAsync(options.RenewInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await ReleaseAllAsync();
        }
    }

    private async Task RoundAsync(OwnershipOptions options, CancellationToken stoppingToken)
    {
        var inMemory = settings.Current.Transport == TransportKind.InMemory;
        var tokens = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var lease in Leases.All)
        {
            try
            {
                tokens[lease] = await store.TryAcquireLeaseAsync(lease, identity.Id, options.LeaseTtl, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Unknown: the state store did not answer. Keep running what we hold until the lease would have expired.
                tokens[lease] = _held.TryGetValue(lease, out var held) && time.GetUtcNow() - held.Renewed < options.LeaseTtl - options.RenewInterval
                    ? held.Token
                    : null;
                LogRenewFailed(logger, lease, ex.Message);
            }
        }

        if (inMemory && tokens.Values.Any(t => t is null))
        {
            // One in-memory process owns everything or nothing: give back what this round took or kept.
            foreach (var (lease, token) in tokens.Where(t => t.Value is not null))
            {
                await StopWorkAsync(lease, "another process holds part of the work and the in-memory transport cannot be shared");
                await store.ReleaseLeaseAsync(lease, identity.Id, CancellationToken.None);
            }

            foreach (var lease in tokens.Keys)
            {
                await StopWorkAsync(lease, "held by another process");
            }

            return;
        }

        foreach (var (lease, token) in tokens)
        {
            if (token is null)
            {
                await StopWorkAsync(lease, "taken over by another process");
            }
            else if (_held.TryGetValue(lease, out var held) && held.Token == token && !held.Task.IsCompleted)
            {
                held.Renewed = time.GetUtcNow();
            }
            else
            {
                await StopWorkAsync(lease, "restarting its work");
                Start(lease, token.Value, stoppingToken);
            }
        }
    }

    private void Start(string lease, long token, CancellationToken stoppingToken)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var fence = new LeaseFence(lease, identity.Id, token);
        var task = Task.Run(() => work.RunAsync(fence, cancel.Token), CancellationToken.None);
        _held[lease] = new Held(token, cancel, task) { Renewed = time.GetUtcNow() };
        LogAcquired(logger, lease, token, identity.Id);
        _ = task.ContinueWith(
            t =>
            {
                if (t.IsFaulted && !cancel.IsCancellationRequested)
                {
                    LogWorkFailed(logger, lease, t.Exception?.GetBaseException().Message ?? "unknown");
                    _wake.Release(); // look again now: renew and restart, or learn the lease is gone
                }
            },
            TaskScheduler.Default);
    }

    private async Task StopWorkAsync(string lease, string reason)
    {
        if (!_held.TryRemove(lease, out var held))
        {
            return;
        }

        await held.Cancel.CancelAsync();
        try
        {
            await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or LeaseLostException)
        {
        }
        catch (Exception ex)
        {
            LogWorkFailed(logger, lease, ex.Message);
        }
        finally
        {
            held.Cancel.Dispose();
        }

        LogReleased(logger, lease, held.Token, reason);
    }

    private async Task ReleaseAllAsync()
    {
        foreach (var lease in _held.Keys.ToList())
        {
            await StopWorkAsync(lease, "stopping");
            try
            {
                await store.ReleaseLeaseAsync(lease, identity.Id, CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogRenewFailed(logger, lease, ex.Message); // it expires on its own
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private sealed record Held(long Token, CancellationTokenSource Cancel, Task Task)
    {
        public DateTimeOffset Renewed { get; set; }
    }

    // "Generation", not "token": the log's secret masking hides any property named like a token.
    [LoggerMessage(Level = LogLevel.Information, Message = "Took lease {Lease} (generation {Generation}) as {Owner}")]
    private static partial void LogAcquired(ILogger logger, string lease, long generation, string owner);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gave up lease {Lease} (generation {Generation}): {Reason}")]
    private static partial void LogReleased(ILogger logger, string lease, long generation, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew or take lease {Lease}: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string lease, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The work under lease {Lease} stopped and restarts: {Reason}")]
    private static partial void LogWorkFailed(ILogger logger, string lease, string reason);
}
