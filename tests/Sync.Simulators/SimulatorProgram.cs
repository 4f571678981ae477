using System.Globalization;
using System.Runtime.InteropServices;

namespace MessageSync.Simulators;

/// <summary>The program's entry code, callable in-process by tests.</summary>
public static class SimulatorProgram
{
    /// <summary>
    /// Parses <c>--pylon-url --helpdesk-url --cord-url [--seed demo] [--rate-limits documented|off|scaled:N] [--cord-webhook-url URL]
    /// [--paging honoured|ignored-whole-list|ignored-first-page] [--helpdesk-list-envelope full|data-only] [--strip-unknown-html]</c>,
    /// starts the simulators, writes a credentials line, a urls line and then <c>ready</c>, and serves until <paramref name="stop"/> fires.
    /// Returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var options = new SimulatorOptions();
        Uri? pylon = null, helpdesk = null, cord = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--pylon-url" when value is not null: pylon = new Uri(value); i++; break;
                case "--helpdesk-url" when value is not null: helpdesk = new Uri(value); i++; break;
                case "--cord-url" when value is not null: cord = new Uri(value); i++; break;
                case "--cord-webhook-url" when value is not null: options = options with { CordWebhookUrl = new Uri(value) }; i++; break;
                case "--seed" when value is not null: options = options with { Seed = value }; i++; break;
                case "--paging" when value is not null && Kebab<PagingMode>(value) is { } paging: options = options with { Paging = paging }; i++; break;
                case "--helpdesk-list-envelope" when value is not null && Kebab<HelpdeskListEnvelope>(value) is { } envelope:
                    options = options with { HelpdeskListEnvelope = envelope };
                    i++;
                    break;
                case "--strip-unknown-html": options = options with { StripUnknownHtml = true }; break;
                case "--rate-limits" when value is not null:
                    if (!TryParseRateLimits(value, options, out options))
                    {
                        await output.WriteLineAsync($"invalid --rate-limits '{value}' (documented|off|scaled:N)");
                        return 2;
                    }

                    i++;
                    break;
                default:
                    await output.WriteLineAsync($"unknown or incomplete argument '{args[i]}'");
                    return 2;
            }
        }

        await using var host = await SimulatorHost.StartAsync(options, pylon, helpdesk, cord, stop);
        await output.WriteLineAsync($"credentials {SimulatorHost.Credentials(options).ToJsonString()}");
        await output.WriteLineAsync($"urls {{\"pylon\":\"{host.PylonUrl}\",\"helpdesk\":\"{host.HelpdeskUrl}\",\"cord\":\"{host.CordUrl}\"}}");
        await output.WriteLineAsync("ready");
        await output.FlushAsync(stop);
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }

    /// <summary>The program: serves until Ctrl-C or SIGTERM.</summary>
    public static async Task<int> RunUntilSignalAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        return await RunAsync(args, Console.Out, stop.Token);
    }

    /// <summary>"ignored-whole-list" -> IgnoredWholeList; null when no member matches.</summary>
    private static T? Kebab<T>(string value)
        where T : struct, Enum =>
        Enum.TryParse<T>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) && !int.TryParse(value, out _) ? parsed : null;

    private static bool TryParseRateLimits(string value, SimulatorOptions current, out SimulatorOptions options)
    {
        options = current;
        if (value == "documented")
        {
            options = current with { RateLimits = RateLimitMode.Documented };
            return true;
        }

        if (value == "off")
        {
            options = current with { RateLimits = RateLimitMode.Off };
            return true;
        }

        if (value.StartsWith("scaled:", StringComparison.Ordinal)
            && double.TryParse(value["scaled:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            options = current with { RateLimits = RateLimitMode.Scaled, RateLimitScale = n };
            return true;
        }

        return false;
    }
}
