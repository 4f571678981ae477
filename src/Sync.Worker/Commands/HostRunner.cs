using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;
using MessageSync.Worker.Ownership;
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

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "the last resort of a verb: any failure becomes one fatal log line and exit code 1, never a stack trace")]
    public static async Task<int> RunAsync(string[] configurationArgs, HostMode mode, Func<WebApplication, Task<int>> body)
    {
        Log.Logger = SyncLogging.CreateBootstrapLogger(configurationArgs, mode);
        try
        {
            var app = SyncHost.CreateBuilder(configurationArgs, mode).Build();
            return await body(app);
        }
        catch (Exception ex) when (ConfigurationProblems.From(ex) is { } problems)
        {
            Startup.Fatal("Invalid configuration, MessageSync cannot start: {Failures}", string.Join("; ", problems));
            return ExitCodes.Usage;
        }
        catch (StateInUseException ex)
        {
            // An expected refusal, not a crash: one line, no stack trace.
            Startup.Fatal("{Reason}", ex.Message);
            return ExitCodes.Failure;
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
