using MessageSync.Core.Model;

namespace MessageSync.Worker.Ownership;

/// <summary>
/// What one process at a time may run (DESIGN.md, "Several processes"). The owner of <c>system:X</c> polls X and applies
/// changes to X (queue <c>sync-x</c>): a system's whole API traffic, reads and writes, stays in one process and inside its
/// token buckets. The owner of <c>relay</c> publishes the outbox.
/// </summary>
public static class Leases
{
    public const string Relay = "relay";

    private const string SystemPrefix = "system:";

    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<SystemId>().Select(For), Relay];

    public static string For(SystemId system) => SystemPrefix + system.ToString().ToLowerInvariant();

    public static SystemId? SystemOf(string lease) =>
        lease.StartsWith(SystemPrefix, StringComparison.Ordinal) && Enum.TryParse<SystemId>(lease[SystemPrefix.Length..], ignoreCase: true, out var system)
            ? system
            : null;
}

/// <summary>This process, as lease owner and hint sender: host, process id and a random part (a restarted process is a new owner).</summary>
public sealed class ProcessIdentity
{
    public ProcessIdentity()
    {
        InstanceId = $"{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
        Id = $"{Environment.MachineName}/{InstanceId}";
    }

    public string Id { get; }

    /// <summary>The part of <see cref="Id"/> that may stand in a queue name (the process's hint queue).</summary>
    public string InstanceId { get; }
}
