using System.CommandLine;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Commands;

/// <summary><c>config check</c>: validates configuration exactly as start-up does, without starting anything.</summary>
public static class ConfigCommand
{
    public static Command Create(VerbContext context)
    {
        var config = new Command("config", "Configuration tools.");
        var check = new Command("check", "Validate configuration as start-up would; exit 0 when valid.");
        check.SetAction(parse => context.RunAsync(HostMode.Tool, app =>
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            var options = app.Services.GetRequiredService<IOptions<SyncOptions>>().Value;
            Console.WriteLine($"configuration is valid: transport {options.Transport}, {options.Links.Count} configured link(s)");
            return Task.FromResult(ExitCodes.Ok);
        }));
        config.Subcommands.Add(check);
        return config;
    }
}
