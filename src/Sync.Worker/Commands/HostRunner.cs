using MessageSync.Worker.Hosting;
using Microsoft.Extensions.Options;
using Serilog;

namespace MessageSync.Worker.Commands;

/// <summary>
/// Two-stage start-up around every verb: a bootstrap logger until the host's own is configured. Invalid configuration
/// is logged as fatal in one line and exits <see cref="ExitCodes.Usage"/>; any other start-up failure (unreachable
/// state file, ...) exits <see cref="ExitCodes.Failure"/>.
/// </summary>
public static class HostRunner
{
    private static Serilog.ILogger Startup => Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MessageSync");

    public static async Task<int> RunAsync(string[] configurationArgs, HostMode mode, Func<WebApplication, Task<int>> body)
    {
        Log.Logger = SyncLogging.CreateBootstrapLogger(configurationArgs, mode);
        try
        {
            var app = SyncHost.CreateBuilder(configurationArgs, mode).Build();
            return await body(app);
        }
        catch (OptionsValidationException ex)
        {
            Startup.Fatal("Invalid configuration, MessageSync cannot start: {Failures}", string.Join("; ", ex.Failures));
            return ExitCodes.Usage;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            // The configuration binder names the key and the value it could not convert.
            Startup.Fatal("Invalid configuration, MessageSync cannot start: {Reason}", ex.Message);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            Startup.Warning("Stopped before the work was done");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            Startup.Fatal(ex, "MessageSync stopped on an error: {Reason}", ex.Message);
            return ExitCodes.Failure;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
