using System.CommandLine;
using System.Net.Sockets;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Commands;

/// <summary>
/// <c>health</c>: asks the worker running beside it (same configuration) whether it is alive, for a container's
/// HEALTHCHECK. The runtime image has no curl or wget, so the worker is its own probe: GET <c>/healthz</c> (or
/// <c>/readyz</c> with <c>--ready</c>) on the first <c>Sync:Http:Urls</c> address, a wildcard host (<c>+</c>,
/// <c>*</c>, <c>0.0.0.0</c>, <c>[::]</c>) asked on loopback. It starts no host and opens no state: exit 0 when the
/// endpoint answers 200, 1 when it answers otherwise or not at all, 2 when the configuration names no address.
/// </summary>
public static class HealthCommand
{
    public static Command Create(VerbContext context)
    {
        var ready = new Option<bool>("--ready") { Description = "Ask /readyz (store, broker, no system paused) instead of /healthz (alive)." };
        var timeout = ToolOutput.TimeoutOption("Time allowed for the answer.", TimeSpan.FromSeconds(5));
        var command = new Command("health", "Ask the running worker's /healthz (or /readyz) on Sync:Http:Urls; for a container HEALTHCHECK.")
        {
            ready, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? url;
            try
            {
                url = ProbeUrl(ReadConfiguration(context.ConfigurationArgs), parse.GetValue(ready));
            }
            catch (SettingsFileException ex)
            {
                return ToolOutput.Refuse("health", [ex.Message]);
            }

            if (url is null)
            {
                return ToolOutput.Refuse("health", ["Sync:Http:Enabled is false or Sync:Http:Urls is not an absolute URL: the worker serves no endpoint to ask"]);
            }

            var (healthy, answer) = await AskAsync(url, parse.GetValue(timeout), cancellationToken);
            Console.Out.WriteLine($"{(healthy ? "healthy" : "unhealthy")}: {url} {answer}");
            return healthy ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>
    /// The configuration the worker beside this process reads, from the same sources in the same order (settings files,
    /// <see cref="SyncHost.ConfigFileVariable"/>'s file, environment, <c>--Sync:Key=Value</c>), without building a host.
    /// </summary>
    public static IConfiguration ReadConfiguration(IReadOnlyList<string> configurationArgs)
    {
        var builder = new ConfigurationBuilder();
        foreach (var (path, optional) in SyncHost.SettingsFiles())
        {
            SettingsFile.EnsureUsable(path, optional);
            builder.AddJsonFile(path, optional, reloadOnChange: false);
        }

        return builder.AddEnvironmentVariables().AddCommandLine([.. configurationArgs]).Build();
    }

    /// <summary>The endpoint to ask, or null when the worker serves none.</summary>
    public static string? ProbeUrl(IConfiguration configuration, bool ready)
    {
        var http = configuration.GetSection($"{SyncOptions.Section}:{nameof(SyncOptions.Http)}").Get<HttpEndpointOptions>() ?? new HttpEndpointOptions();
        var first = http.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (!http.Enabled || first is null)
        {
            return null;
        }

        // Kestrel's wildcard forms are not host names an HTTP client can connect to: the listener is on this machine.
        var colon = first.IndexOf("://", StringComparison.Ordinal);
        if (colon > 0)
        {
            var rest = first[(colon + 3)..];
            foreach (var wildcard in new[] { "+", "*", "0.0.0.0", "[::]" })
            {
                if (rest.StartsWith(wildcard + ":", StringComparison.Ordinal) || rest == wildcard || rest.StartsWith(wildcard + "/", StringComparison.Ordinal))
                {
                    first = first[..(colon + 3)] + (wildcard == "[::]" ? "[::1]" : "127.0.0.1") + rest[wildcard.Length..];
                    break;
                }
            }
        }

        return Uri.TryCreate(first, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? new Uri(uri, ready ? "/readyz" : "/healthz").ToString()
            : null;
    }

    private static async Task<(bool Healthy, string Answer)> AskAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await client.GetAsync(url, cancellationToken);
            var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
            var line = body.Length > 200 ? body[..200] + "..." : body.ReplaceLineEndings(" ");
            return (response.IsSuccessStatusCode, $"answered {(int)response.StatusCode}{(line.Length > 0 ? ": " + line : "")}");
        }
        catch (HttpRequestException ex)
        {
            return (false, $"did not answer: {(ex.InnerException as SocketException)?.Message ?? ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"did not answer within {timeout.TotalSeconds:0.#} s");
        }
    }
}
