using System.CommandLine.Parsing;
using System.Globalization;
using Spectre.Console;

namespace MessageSync.Worker.Commands;

/// <summary>
/// How tool verbs answer: the answer on stdout (tables for a person, <c>--json</c> for a script), refusals and logs on
/// stderr. When stdout is not a terminal, tables carry no colour or control codes and are not wrapped at a guessed width.
/// </summary>
public static class ToolOutput
{
    /// <summary>Width given to tables written to a pipe or a file: wide enough that no row is ever wrapped.</summary>
    public const int UnwrappedWidth = 32_767;

    private static readonly Lazy<IAnsiConsole> Shared = new(() => CreateConsole(Console.Out, Console.IsOutputRedirected));

    /// <summary>The console tables are written to (stdout).</summary>
    public static IAnsiConsole Tables => Shared.Value;

    /// <summary>
    /// A console for <paramref name="writer"/>: colour and wrapping when it is a terminal (and <c>NO_COLOR</c> is unset),
    /// plain unwrapped text otherwise.
    /// </summary>
    public static IAnsiConsole CreateConsole(TextWriter writer, bool redirected)
    {
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected || noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
            Out = new AnsiConsoleOutput(writer),
        });
        if (redirected)
        {
            console.Profile.Width = UnwrappedWidth;
        }

        return console;
    }

    /// <summary>Writes a <c>--json</c> document (one of the shapes in <see cref="ToolJson"/>) to stdout.</summary>
    public static void Json<T>(T document) => Console.Out.WriteLine(ToolJson.Serialize(document));

    /// <summary>Refuses a request that names something wrong: one line per problem on stderr, exit <see cref="ExitCodes.Usage"/>.</summary>
    public static int Refuse(string verb, IEnumerable<string> problems)
    {
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"{verb}: {problem}");
        }

        Console.Error.WriteLine($"{verb}: nothing was changed");
        return ExitCodes.Usage;
    }

    /// <summary>Parses a positive time span (<c>hh:mm:ss</c> or <c>d.hh:mm:ss</c>), naming the bad value otherwise.</summary>
    public static TimeSpan PositiveTimeSpan(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        result.AddError($"'{text}' is not a positive time span (hh:mm:ss, e.g. 00:30:00)");
        return default;
    }

    /// <summary>A verb's <c>--timeout hh:mm:ss</c>: a positive time span, <paramref name="byDefault"/> when not given.</summary>
    public static System.CommandLine.Option<TimeSpan> TimeoutOption(string description, TimeSpan byDefault) => new("--timeout")
    {
        Description = description,
        HelpName = "hh:mm:ss",
        DefaultValueFactory = _ => byDefault,
        CustomParser = PositiveTimeSpan,
    };

    /// <summary>The <c>--json</c> option every listing verb has.</summary>
    public static System.CommandLine.Option<bool> JsonOption() => new("--json") { Description = "Print JSON (the shape documented in the README) instead of tables." };
}
