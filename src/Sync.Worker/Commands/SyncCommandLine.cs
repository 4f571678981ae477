using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Commands;

/// <summary>
/// The worker's verbs, parsed strictly: an unknown verb, option or argument is an error with a suggestion and exit code
/// <see cref="ExitCodes.Usage"/>. Settings are accepted on the command line only as <c>--Sync:Key=Value</c>
/// (<see cref="ConfigurationOverrides"/>), and only for keys the worker reads.
/// </summary>
public static class SyncCommandLine
{
    public const string ProgramName = "Sync.Worker";

    public static async Task<int> InvokeAsync(string[] args)
    {
        var parsed = Parse(args);
        if (parsed.Refusal is { } refusal)
        {
            foreach (var line in refusal)
            {
                Console.Error.WriteLine(line);
            }

            return ExitCodes.Usage;
        }

        // No termination handler here: the host's console lifetime handles Ctrl-C and SIGTERM and stops gracefully.
        return await parsed.Result!.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>
    /// Parses a command line without running anything: either a result to invoke, or the refusal (the lines printed
    /// on stderr before exiting <see cref="ExitCodes.Usage"/>).
    /// </summary>
    public static ParsedCommandLine Parse(string[] args)
    {
        var split = ConfigurationOverrides.Split(args);
        if (split.Errors.Count > 0)
        {
            return new ParsedCommandLine(null, Refusal(split.Errors, "--help"));
        }

        var root = Build(new VerbContext(split.Overrides));
        var parse = root.Parse(split.Rest, Parser);
        return parse.Errors.Count > 0
            ? new ParsedCommandLine(null, Refusal(Describe(parse), CommandPath(parse.CommandResult.Command, root) + " --help"))
            : new ParsedCommandLine(parse, null);
    }

    /// <summary>The parser's configuration: no <c>@file</c> response files (a link id may start with '@').</summary>
    public static ParserConfiguration Parser { get; } = new() { ResponseFileTokenReplacer = null };

    public static RootCommand Build(VerbContext context)
    {
        var root = new RootCommand("MessageSync keeps linked Pylon issues, helpdesk tickets and Cord threads in step.\n" +
            "Settings on the command line: --Sync:Key=Value (e.g. --Sync:Logging:Format=Json).");
        root.Directives.Clear();
        root.SetAction(_ => context.RunAsync(HostMode.Run, RunCommand.ExecuteAsync));

        var run = new Command("run", "Run the always-on sync service (the default verb).");
        run.SetAction(_ => context.RunAsync(HostMode.Run, RunCommand.ExecuteAsync));
        root.Subcommands.Add(run);

        root.Subcommands.Add(BackfillCommand.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(LinksCommand.Create(context));
        root.Subcommands.Add(ErrorsCommand.Create(context));
        root.Subcommands.Add(ConfigCommand.Create(context));
        root.Subcommands.Add(CheckCommand.Create(context));
        root.Subcommands.Add(HealthCommand.Create(context));

        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExitCodes((HelpAction)help.Action!);
        return root;
    }

    /// <summary>Parse errors in the operator's words, with the nearest verb or option for each unknown token.</summary>
    internal static List<string> Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var unmatched = parse.UnmatchedTokens;
        // An unknown token explains a missing verb or argument after it: say only what was unknown.
        var messages = parse.Errors
            .Where(e => unmatched.Count == 0 || !IsConsequence(e.Message))
            .Where(e => !unmatched.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)))
            .Select(e => e.Message.TrimEnd('.'))
            .ToList();
        var verbReported = false;
        foreach (var token in unmatched)
        {
            var isOption = token.StartsWith('-');
            if (!isOption && command.Subcommands.Count > 0)
            {
                if (verbReported)
                {
                    continue; // the arguments of the mistyped verb
                }

                verbReported = true;
            }

            var candidates = isOption
                ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
                : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
            var what = isOption ? $"unknown option '{token}' for '{CommandPath(command, null)}'"
                : command.Subcommands.Count > 0 ? $"unknown verb '{token}'"
                : $"unexpected argument '{token}' for '{CommandPath(command, null)}'";
            var closest = Suggestions.Closest(token, candidates.ToList());
            messages.Add(closest is null ? what : $"{what}; did you mean '{closest}'?");
        }

        return messages;
    }

    private static bool IsConsequence(string message) =>
        message.StartsWith("Required command was not provided", StringComparison.Ordinal)
        || message.StartsWith("Required argument missing", StringComparison.Ordinal);

    private static List<string> Refusal(IEnumerable<string> messages, string helpCommand) =>
    [
        .. messages.Select(m => $"{ProgramName}: {m}"),
        $"Run '{ProgramName} {helpCommand.Trim()}' for the verbs, options and exit codes.",
    ];

    private static string CommandPath(Command command, RootCommand? root)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c && c is not RootCommand; symbol = c.Parents.FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return root is null && names.Count == 0 ? ProgramName : string.Join(' ', names);
    }

    /// <summary>The default help, then the exit-code table every verb shares.</summary>
    private sealed class HelpWithExitCodes(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            if (Console.IsOutputRedirected)
            {
                // A pipe or a file: no wrapping at an imagined terminal width.
                inner.MaxWidth = int.MaxValue;
            }

            inner.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Exit codes:");
            foreach (var (code, meaning) in ExitCodes.Table)
            {
                output.WriteLine($"  {code,-5}{meaning}");
            }

            output.WriteLine();
            return ExitCodes.Ok;
        }
    }
}

/// <summary>A parsed command line: <see cref="Result"/> to invoke, or the <see cref="Refusal"/> lines (exit 2).</summary>
public sealed record ParsedCommandLine(ParseResult? Result, IReadOnlyList<string>? Refusal);

/// <summary>What every verb's action needs: the <c>--Sync:Key=Value</c> settings, for the host it starts.</summary>
public sealed class VerbContext(IReadOnlyList<string> configurationArgs)
{
    public IReadOnlyList<string> ConfigurationArgs { get; } = configurationArgs;

    public Task<int> RunAsync(HostMode mode, Func<WebApplication, Task<int>> body) => HostRunner.RunAsync([.. ConfigurationArgs], mode, body);
}
