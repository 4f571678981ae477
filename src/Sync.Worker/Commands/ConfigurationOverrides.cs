using MessageSync.Worker.Options;

namespace MessageSync.Worker.Commands;

/// <summary>
/// Separates settings (<c>--Sync:Key=Value</c>, anywhere on the line) from verbs, options and arguments, before the
/// verbs are parsed: a setting is never taken for an option's value (<c>--link bf --Sync:State:Path=/x.db</c>).
/// Any other form of a setting is refused, as is a key the worker does not read.
/// </summary>
public static class ConfigurationOverrides
{
    public sealed record Result(IReadOnlyList<string> Overrides, IReadOnlyList<string> Rest, IReadOnlyList<string> Errors);

    public static Result Split(IReadOnlyList<string> args)
    {
        var overrides = new List<string>();
        var rest = new List<string>();
        var errors = new List<string>();
        foreach (var token in args)
        {
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
            {
                rest.Add(token);
                continue;
            }

            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? token[2..] : token[2..equals];
            if (name.StartsWith(SyncOptions.Section + ":", StringComparison.OrdinalIgnoreCase))
            {
                if (equals < 0)
                {
                    errors.Add($"'{token}' has no value: settings take the form --{name}=VALUE");
                }
                else if (ConfigurationSchema.Check(name) is { } problem)
                {
                    errors.Add(problem);
                }
                else
                {
                    overrides.Add(token);
                }
            }
            else if (name.Contains(':', StringComparison.Ordinal) || name.Contains("__", StringComparison.Ordinal))
            {
                var key = name.Replace("__", ":", StringComparison.Ordinal);
                errors.Add($"'{token}' is not an option; settings take the form --Sync:Key=Value" +
                    (key.StartsWith(SyncOptions.Section + ":", StringComparison.OrdinalIgnoreCase) ? $" (--{key}=...)" : " and every key starts with Sync:"));
            }
            else
            {
                rest.Add(token);
            }
        }

        return new Result(overrides, rest, errors);
    }
}
