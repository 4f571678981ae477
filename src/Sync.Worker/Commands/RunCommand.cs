using MessageSync.Core.State;
using MessageSync.Worker.Http;
using MessageSync.Worker.Ownership;
using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Commands;

/// <summary><c>run</c>: the always-on service, until Ctrl-C or SIGTERM. On SQLite, one per state file.</summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(WebApplication app)
    {
        using var guard = SingleProcessGuard.Acquire(app.Services.GetRequiredService<IOptions<StateStoreOptions>>().Value);
        app.MapSyncEndpoints();
        await app.RunAsync();
        return 0;
    }
}
