using System.CommandLine;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace MessageSync.Worker.Commands;

/// <summary>
/// <c>config check</c>: builds the host exactly as <c>run</c> does (<see cref="HostMode.Check"/>) and runs the same start-up
/// validation, without starting anything; prints the configuration in force, secrets masked, with where each value
/// came from. Exit 0 when <c>run</c> would accept it, 2 when it would refuse it.
/// </summary>
public static class ConfigCommand
{
    public static Command Create(VerbContext context)
    {
        var config = new Command("config", "Configuration tools.");
        var json = ToolOutput.JsonOption();
        var check = new Command("check", "Validate configuration exactly as run does and show the settings in force (secrets masked) and their sources.") { json };
        check.SetAction(parse => context.RunAsync(HostMode.Check, app =>
        {
            var errors = Validate(app.Services);
            var settings = EffectiveConfiguration.Read(app.Configuration, app.Services.GetRequiredService<ConfiguredSystems>());
            var unknown = EffectiveConfiguration.Unknown(app.Configuration);
            var warnings = unknown.Select(u => $"{u.Problem} (set in {u.Source}); it is ignored").ToList();
            if (parse.GetValue(json))
            {
                ToolOutput.Json(new ConfigCheckDocument(errors.Count == 0, errors, warnings, settings.Select(s => new SettingDocument(s.Key, s.Value, s.Source)).ToList()));
            }
            else
            {
                Write(ToolOutput.Tables, settings);
                foreach (var warning in warnings)
                {
                    Console.Error.WriteLine($"config check: warning: {warning}");
                }

                foreach (var error in errors)
                {
                    Console.Error.WriteLine($"config check: {error}");
                }

                if (errors.Count == 0)
                {
                    var options = app.Services.GetRequiredService<IOptions<SyncOptions>>().Value;
                    var systems = app.Services.GetRequiredService<ConfiguredSystems>().Systems;
                    Console.WriteLine($"configuration is valid: transport {options.Transport}, systems {(systems.Count == 0 ? "none" : string.Join(", ", systems.Order()))}, {options.Links.Count} configured link(s)");
                }
                else
                {
                    Console.Error.WriteLine($"config check: {errors.Count} problem(s); run would refuse to start");
                }
            }

            return Task.FromResult(errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Usage);
        }));
        config.Subcommands.Add(check);
        return config;
    }

    /// <summary>The start-up validation <c>run</c> does (every options section registered with ValidateOnStart), as a list.</summary>
    public static IReadOnlyList<string> Validate(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (Exception ex) when (ConfigurationProblems.From(ex) is { } problems)
        {
            return problems;
        }
    }

    private static void Write(IAnsiConsole console, IReadOnlyList<EffectiveSetting> settings)
    {
        var table = new Table().AddColumns("setting", "value", "source");
        foreach (var setting in settings)
        {
            table.AddRow(Markup.Escape(setting.Key), Markup.Escape(setting.Value ?? ""), Markup.Escape(setting.Source));
        }

        console.Write(table);
    }
}

/// <summary><c>config check --json</c>: <c>valid</c> is what run would decide; <c>errors</c> would stop it; <c>warnings</c> are ignored settings.</summary>
public sealed record ConfigCheckDocument(bool Valid, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, IReadOnlyList<SettingDocument> Settings);

/// <summary>A setting in force: value (secrets shown as <c>***</c>) and source (a file path, <c>environment NAME</c>, <c>command line</c>, <c>default</c>).</summary>
public sealed record SettingDocument(string Key, string? Value, string Source);
