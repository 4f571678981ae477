using System.Collections;
using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Helpdesk;
using MessageSync.Adapters.Pylon;
using MessageSync.Core.State;

namespace MessageSync.Worker.Options;

/// <summary>
/// Every configuration key the worker reads, derived from the options classes bound to each section. A key outside it
/// is a typo the binder would silently ignore: the command line refuses it, <c>config check</c> and start-up warn.
/// A new options section is added to <see cref="Sections"/> in the same commit as its class.
/// </summary>
public static class ConfigurationSchema
{
    /// <summary>The bound sections and their options classes; <c>Sync</c> itself is <see cref="SyncOptions"/>.</summary>
    public static IReadOnlyList<(string Section, Type Options)> Sections { get; } =
    [
        (SyncOptions.Section, typeof(SyncOptions)),
        (StateStoreOptions.SectionName, typeof(StateStoreOptions)),
        (PylonOptions.SectionName, typeof(PylonOptions)),
        (HelpdeskOptions.SectionName, typeof(HelpdeskOptions)),
        (CordOptions.SectionName, typeof(CordOptions)),
    ];

    /// <summary>Names of settings that hold a secret: shown masked by <c>config check</c>.</summary>
    public static bool IsSecret(string key)
    {
        var last = key[(key.LastIndexOf(':') + 1)..];
        return !last.EndsWith("File", StringComparison.OrdinalIgnoreCase)
            && (last.Contains("Token", StringComparison.OrdinalIgnoreCase) || last.Contains("Secret", StringComparison.OrdinalIgnoreCase)
                || last.Contains("Password", StringComparison.OrdinalIgnoreCase) || last.Equals("ConnectionString", StringComparison.OrdinalIgnoreCase)
                || last.EndsWith("Headers", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True when <paramref name="key"/> names a section or a list (a JSON <c>{}</c> or <c>[]</c> gives it an empty value).</summary>
    public static bool IsSection(string key) => Check(key) is null && Resolve(key) is { } node && Children(node.Node, node.Path) is not null;

    private static (object Node, string Path)? Resolve(string key)
    {
        var segments = key.Split(':');
        object node = Root;
        var path = SyncOptions.Section;
        for (var i = 1; i < segments.Length; i++)
        {
            var children = Children(node, path);
            var next = children?.AnyKey == true ? children.Value.Next(segments[i])
                : children?.Names.FirstOrDefault(n => n.Equals(segments[i], StringComparison.OrdinalIgnoreCase)) is { } match ? children.Value.Next(match) : null;
            if (next is null)
            {
                return null;
            }

            node = next;
            path += ":" + segments[i];
        }

        return (node, path);
    }

    /// <summary>Null when <paramref name="key"/> is a setting the worker reads; otherwise why not, with the nearest known key.</summary>
    public static string? Check(string key)
    {
        var segments = key.Split(':');
        if (!segments[0].Equals(SyncOptions.Section, StringComparison.OrdinalIgnoreCase))
        {
            return $"'{key}' is not a MessageSync setting (they all start with Sync:)";
        }

        var path = SyncOptions.Section;
        object node = Root;
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            var children = Children(node, path);
            if (children is null)
            {
                return $"'{key}': {path} is a value, it has no '{segment}'";
            }

            if (children.Value.AnyKey)
            {
                node = children.Value.Next(segment)!;
                if (node is null)
                {
                    return $"'{key}': {path} is a list; '{segment}' is not an index (0, 1, ...)";
                }
            }
            else
            {
                var match = children.Value.Names.FirstOrDefault(n => n.Equals(segment, StringComparison.OrdinalIgnoreCase));
                if (match is null)
                {
                    var closest = Suggestions.Closest(segment, children.Value.Names);
                    return $"'{key}' is not a setting: {path} has no '{segment}'" + (closest is null ? "" : $" (did you mean {path}:{closest}?)");
                }

                node = children.Value.Next(match)!;
            }

            path += ":" + segment;
        }

        return Children(node, path) is { AnyKey: false } ? $"'{key}' is a section, not a value: set one of its keys ({path}:...)" : null;
    }

    private static readonly object Root = new SectionNode(SyncOptions.Section);

    private sealed record SectionNode(string Path);

    private readonly record struct ChildSet(IReadOnlyList<string> Names, bool AnyKey, Func<string, object?> Next);

    /// <summary>The children of a node, or null for a value (a leaf).</summary>
    private static ChildSet? Children(object node, string path)
    {
        if (node is SectionNode section)
        {
            // A section's keys: its options class's properties plus the sections registered below it.
            var type = Sections.FirstOrDefault(s => s.Section.Equals(section.Path, StringComparison.OrdinalIgnoreCase)).Options;
            var properties = type is null ? [] : Properties(type).ToList();
            var nested = Sections.Where(s => IsDirectChild(section.Path, s.Section)).Select(s => s.Section[(section.Path.Length + 1)..]).ToList();
            var names = properties.Select(p => p.Name).Concat(nested).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            return new ChildSet(names, AnyKey: false, name =>
                nested.FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } sub
                    ? new SectionNode(section.Path + ":" + sub)
                    : properties.First(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).PropertyType);
        }

        var t = (Type)node;
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (IsLeaf(t))
        {
            return null;
        }

        if (DictionaryValue(t) is { } value)
        {
            return new ChildSet([], AnyKey: true, _ => value);
        }

        if (ElementType(t) is { } element)
        {
            return new ChildSet([], AnyKey: true, segment => int.TryParse(segment, out var index) && index >= 0 ? element : null);
        }

        var props = Properties(t).ToList();
        return new ChildSet(props.Select(p => p.Name).ToList(), AnyKey: false, name => props.First(p => p.Name == name).PropertyType);
    }

    private static bool IsDirectChild(string parent, string candidate) =>
        candidate.StartsWith(parent + ":", StringComparison.OrdinalIgnoreCase) && !candidate[(parent.Length + 1)..].Contains(':', StringComparison.Ordinal);

    private static IEnumerable<System.Reflection.PropertyInfo> Properties(Type type) =>
        type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.GetMethod is not null && p.GetIndexParameters().Length == 0 && (p.SetMethod?.IsPublic == true || !IsLeaf(p.PropertyType)));

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid) || type == typeof(Uri)
        || (Nullable.GetUnderlyingType(type) is { } inner && IsLeaf(inner));

    private static Type? DictionaryValue(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : typeof(IEnumerable).IsAssignableFrom(type)
            ? type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
            : null;
}
