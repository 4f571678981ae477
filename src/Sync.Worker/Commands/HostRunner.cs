using MessageSync.Worker.Hosting;
using MessageSync.Worker.Ownership;
using Microsoft.Extensions.Options;
using Serilog;

namespace MessageSync.Worker.Commands;

/// <summary>
/// Two-stage start-up around every verb: a bootstrap logger until the host's own is configured; a start-up
/// failure (invalid option, unreachable state file, ...) is logged as fatal and the process exits 1.
/// </summary>
public static class HostRunner
{
    private static Serilog.ILogger Startup => Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "MessageSync");

    public static async Task<int> RunAsync(string[] configurationArgs, HostMode mode, Func<WebApplication, Task<int>> body)
    {
        Log.Logger = SyncLogging.CreateBootstrapLogger(configurationArgs);
        try
        {
            var app = SyncHost.CreateBuilder(configurationArgs, mode).Build();
            return await body(app);
        }
        catch (OptionsValidationException ex)
        {
            Startup.Fatal("Invalid configuration, MessageSync cannot start: {Failures}", string.Join("; ", ex.Failures));
            return 1;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            // The configuration binder names the key and the value it could not convert.
            Startup.Fatal("Invalid configuration, MessageSync cannot start: {Reason}", ex.Message);
            return 1;
        }
        catch (StateInUseException ex)
        {
            // An expected refusal, not a crash: one line, no stack trace.
            Startup.Fatal("{Reason}", ex.Message);
            return 1;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Startup.Fatal(ex, "MessageSync could not start: {Reason}", ex.Message);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
