using MessageSync.Core.State;
using MessageSync.Worker.Http;
using MessageSync.Worker.Ownership;
using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Commands;

/// <summary>
/// <c>run</c>: the always-on service, until Ctrl-C or SIGTERM; a stop request is a clean exit 0, even during start-up. On
/// SQLite, one per state file (<see cref="SingleProcessGuard"/>).
/// </summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(WebApplication app)
    {
        using var guard = SingleProcessGuard.Acquire(app.Services.GetRequiredService<IOptions<StateStoreOptions>>().Value);
        app.MapSyncEndpoints();
        var stopping = app.Lifetime.ApplicationStopping; // read now: RunAsync disposes the host (and its services) on the way out
        try
        {
            await app.RunAsync();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while still starting (a pod deleted during its start): nothing was in flight.
        }

        return ExitCodes.Ok;
    }
}
