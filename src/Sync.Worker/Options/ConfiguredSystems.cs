using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Helpdesk;
using MessageSync.Adapters.Pylon;
using MessageSync.Core.Model;

namespace MessageSync.Worker.Options;

/// <summary>
/// The systems this process is configured for: a system is used when its section is present (the rule
/// <c>AddSyncAdapters</c> registers adapters by). Fixed at start: adapters are not added or removed by a reload.
/// </summary>
public sealed class ConfiguredSystems(IReadOnlySet<SystemId> systems)
{
    public IReadOnlySet<SystemId> Systems { get; } = systems;

    public static string SectionOf(SystemId system) => system switch
    {
        SystemId.Pylon => PylonOptions.SectionName,
        SystemId.Helpdesk => HelpdeskOptions.SectionName,
        _ => CordOptions.SectionName,
    };

    public static ConfiguredSystems From(IConfiguration configuration) =>
        new(Enum.GetValues<SystemId>().Where(s => configuration.GetSection(SectionOf(s)).Exists()).ToHashSet());

    public bool Contains(SystemId system) => Systems.Contains(system);
}
