using System.Text.Json;
using System.Text.Json.Serialization;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace MessageSync.Worker.Hosting;

/// <summary>One setting in force: its value (secrets masked) and where it came from (a file, the environment, the command line, a default).</summary>
public sealed record EffectiveSetting(string Key, string? Value, string Source);

/// <summary>A setting the worker does not read (a typo the binder would silently ignore), and where it was given.</summary>
public sealed record UnknownSetting(string Key, string Source, string Problem);

/// <summary>
/// The configuration as the worker sees it: every <c>Sync</c> key with the value in force, from the last source that
/// sets it, or the options class's default. Read from the raw sources, so it can be shown even when a value is invalid.
/// </summary>
public static class EffectiveConfiguration
{
    public const string DefaultSource = "default";

    private static readonly JsonSerializerOptions DefaultsJson = new() { Converters = { new JsonStringEnumConverter() } };

    public static IReadOnlyList<EffectiveSetting> Read(IConfiguration configuration, ConfiguredSystems systems)
    {
        var settings = new SortedDictionary<string, EffectiveSetting>(StringComparer.OrdinalIgnoreCase);
        foreach (var (section, type) in ConfigurationSchema.Sections)
        {
            var system = Enum.GetValues<Core.Model.SystemId>().Where(s => ConfiguredSystems.SectionOf(s).Equals(section, StringComparison.OrdinalIgnoreCase)).ToList();
            if (system.Count == 1 && !systems.Contains(system[0]))
            {
                continue; // a system that is not configured has no settings in force
            }

            using var defaults = JsonDocument.Parse(JsonSerializer.Serialize(Activator.CreateInstance(type), type, DefaultsJson));
            Flatten(section, defaults.RootElement, (key, value) => settings[key] = new EffectiveSetting(key, Mask(key, value), DefaultSource));
        }

        foreach (var (key, value, source) in Given(configuration))
        {
            if (ConfigurationSchema.Check(key) is null)
            {
                settings[key] = new EffectiveSetting(key, Mask(key, value), source);
            }
        }

        return [.. settings.Values];
    }

    /// <summary>Keys under <c>Sync</c> that some source sets but no options class reads.</summary>
    public static IReadOnlyList<UnknownSetting> Unknown(IConfiguration configuration) =>
        Given(configuration)
            .Select(g => (g.Key, g.Source, Problem: ConfigurationSchema.Check(g.Key)))
            .Where(g => g.Problem is not null)
            .Select(g => new UnknownSetting(g.Key, g.Source, g.Problem!))
            .ToList();

    /// <summary>Every key under <c>Sync</c> some source sets, with the value and source in force (the last source wins).</summary>
    private static IEnumerable<(string Key, string? Value, string Source)> Given(IConfiguration configuration)
    {
        var given = new Dictionary<string, (string? Value, string Source)>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in Providers(configuration))
        {
            foreach (var key in Keys(provider, SyncOptions.Section))
            {
                // An empty {} or [] reads as an empty value on its section: not a setting.
                if (provider.TryGet(key, out var value) && value is not null && !(value.Length == 0 && ConfigurationSchema.IsSection(key)))
                {
                    given[key] = (value, Describe(provider, key));
                }
            }
        }

        return given.Select(g => (g.Key, g.Value.Value, g.Value.Source));
    }

    private static IEnumerable<IConfigurationProvider> Providers(IConfiguration configuration) =>
        configuration is IConfigurationRoot root
            ? root.Providers.SelectMany(p => p is ChainedConfigurationProvider chained ? Providers(chained.Configuration) : [p])
            : [];

    private static IEnumerable<string> Keys(IConfigurationProvider provider, string parent)
    {
        foreach (var child in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var path = parent + ":" + child;
            yield return path;
            foreach (var nested in Keys(provider, path))
            {
                yield return nested;
            }
        }
    }

    private static string Describe(IConfigurationProvider provider, string key) => provider switch
    {
        SettingsFileProvider file => file.Path,
        FileConfigurationProvider file => file.Source.FileProvider?.GetFileInfo(file.Source.Path ?? "").PhysicalPath ?? file.Source.Path ?? "a file",
        EnvironmentVariablesConfigurationProvider => "environment " + key.Replace(":", "__", StringComparison.Ordinal),
        CommandLineConfigurationProvider => "command line",
        MemoryConfigurationProvider => "built-in",
        _ => provider.GetType().Name,
    };

    private static string? Mask(string key, string? value) =>
        string.IsNullOrEmpty(value) || !ConfigurationSchema.IsSecret(key) ? value : "***";

    private static void Flatten(string prefix, JsonElement element, Action<string, string?> add)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(prefix + ":" + property.Name, property.Value, add);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(prefix + ":" + index++.ToString(System.Globalization.CultureInfo.InvariantCulture), item, add);
                }

                break;
            case JsonValueKind.Null:
                break;
            case JsonValueKind.String:
                add(prefix, element.GetString());
                break;
            default:
                add(prefix, element.GetRawText());
                break;
        }
    }
}
