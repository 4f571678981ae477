using MessageSync.Worker.Http;

namespace MessageSync.Worker.Commands;

/// <summary><c>run</c>: the always-on service, until Ctrl-C or SIGTERM.</summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(WebApplication app)
    {
        app.MapSyncEndpoints();
        await app.RunAsync();
        return 0;
    }
}
