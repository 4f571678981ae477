using System.CommandLine.Parsing;
using System.Globalization;

namespace MessageSync.Worker.Commands;

/// <summary>How tool verbs answer: the answer on stdout, refusals and diagnostics on stderr.</summary>
public static class ToolOutput
{
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
}
