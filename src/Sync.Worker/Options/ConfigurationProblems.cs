using System.Text.RegularExpressions;
using MessageSync.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Options;

/// <summary>Validation failures as an operator reads them: one line per configuration key.</summary>
public static partial class ConfigurationProblems
{
    /// <summary>
    /// The configuration problems <paramref name="exception"/> stands for (invalid options, a value the binder cannot
    /// convert, an unusable settings file), or null when it is some other failure. <c>run</c>'s start-up and
    /// <c>config check</c> both read failures through here, so they report the same problems the same way.
    /// </summary>
    public static IReadOnlyList<string>? From(Exception exception) => exception switch
    {
        OptionsValidationException invalid => OnePerKey(invalid.Failures),
        SettingsFileException file => [file.Message],
        // The binder names the key and the value it could not convert.
        InvalidOperationException binder when binder.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) => [binder.Message],
        AggregateException many when many.InnerExceptions.All(e => From(e) is not null) => OnePerKey(many.InnerExceptions.SelectMany(e => From(e)!)),
        _ => null,
    };

    /// <summary>
    /// Keeps the first failure for each secret-file key: an adapter's own validator and the worker's
    /// <see cref="SecretFilesValidator{TOptions}"/> may both refuse one missing token file.
    /// </summary>
    public static IReadOnlyList<string> OnePerKey(IEnumerable<string> failures)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var kept = new List<string>();
        foreach (var failure in failures)
        {
            var key = LeadingKey().Match(failure);
            if (!key.Success || seen.Add(key.Value))
            {
                kept.Add(failure);
            }
        }

        return kept;
    }

    [GeneratedRegex(@"^Sync(:[A-Za-z0-9_.-]+)+File(?=[:\s']|$)")]
    private static partial Regex LeadingKey();
}
