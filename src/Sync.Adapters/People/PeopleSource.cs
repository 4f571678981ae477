using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Pylon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.People;

/// <summary>
/// <c>Sync:People</c> (from <paramref name="configured"/>, read on every use and indexed again only when its version
/// changes) followed by the deprecated per-system e-mail maps (<c>Sync:Pylon:UserIdsByEmail</c>,
/// <c>Sync:Pylon:ContactIdsByEmail</c>, <c>Sync:Cord:UserIdsByEmail</c>), which still work: each entry becomes a person
/// known by e-mail. A person in <c>Sync:People</c> wins over a legacy entry with the same e-mail. One warning line names
/// the legacy maps in use when the source is created (at start, with the adapters).
/// </summary>
public sealed partial class PeopleSource : IPeopleSource
{
    private readonly Func<(object Version, IEnumerable<Person> People)> _configured;
    private readonly IReadOnlyList<Person> _legacy;
    private readonly Lock _gate = new();
    private object? _version;
    private PeopleDirectory _current = PeopleDirectory.Empty;

    public PeopleSource(IServiceProvider services, Func<(object Version, IEnumerable<Person> People)> configured, ILogger<PeopleSource> logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        _configured = configured;
        // A system that is not configured reads as default options: empty maps.
        var (legacy, keys) = Legacy(services.GetService<IOptions<PylonOptions>>()?.Value, services.GetService<IOptions<CordOptions>>()?.Value);
        _legacy = legacy;
        if (keys.Count > 0)
        {
            LogDeprecated(logger, string.Join(", ", keys));
        }
    }

    public PeopleDirectory Current
    {
        get
        {
            var (version, people) = _configured();
            lock (_gate)
            {
                if (!ReferenceEquals(version, _version))
                {
                    _current = new PeopleDirectory(people.Concat(_legacy));
                    _version = version;
                }

                return _current;
            }
        }
    }

    /// <summary>No people configured: the legacy e-mail maps alone (the adapters' default without the worker).</summary>
    public static PeopleSource LegacyOnly(IServiceProvider services) =>
        new(services, () => (PeopleDirectory.Empty, []), services.GetRequiredService<ILogger<PeopleSource>>());

    /// <summary>The legacy e-mail maps as people (one per e-mail) and the keys they were read from.</summary>
    internal static (IReadOnlyList<Person> People, IReadOnlyList<string> Keys) Legacy(PylonOptions? pylon, CordOptions? cord)
    {
        var byEmail = new Dictionary<string, Person>(StringComparer.OrdinalIgnoreCase);
        var keys = new List<string>();
        void Add(string key, IReadOnlyDictionary<string, string>? map, Func<Person, string, Person> set)
        {
            if (map is not { Count: > 0 })
            {
                return;
            }

            keys.Add(key);
            foreach (var (email, id) in map)
            {
                var person = byEmail.TryGetValue(email, out var known) ? known : new Person { Email = email.Trim() };
                byEmail[email] = set(person, id);
            }
        }

        Add($"{PylonOptions.SectionName}:UserIdsByEmail", pylon?.UserIdsByEmail, (p, id) => p with { PylonUserId = id });
        Add($"{PylonOptions.SectionName}:ContactIdsByEmail", pylon?.ContactIdsByEmail, (p, id) => p with { PylonContactId = id });
        Add($"{CordOptions.SectionName}:UserIdsByEmail", cord?.UserIdsByEmail, (p, id) => p with { CordUserId = id });
        return ([.. byEmail.Values], keys);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Keys} are deprecated and still read: move each entry to Sync:People (one entry a person, with the person's ids in every system; README, \"People\")")]
    private static partial void LogDeprecated(ILogger logger, string keys);
}
