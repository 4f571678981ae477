using MessageSync.Worker.Hosting;

namespace MessageSync.Worker.Engine;

/// <summary>
/// What this process's engine does under the leases it holds. <c>run</c> does everything. A <c>backfill</c> that finds no
/// worker running takes the free leases but does only what it was asked: it walks the requested conversations and applies
/// their changes, and leaves the scheduled polling of every link to the always-on worker. A <c>backfill --dry-run</c> also
/// writes nothing: no relay, no apply endpoint, only the walks' reads.
/// </summary>
public sealed class EngineRole(HostMode mode)
{
    /// <summary>Poll every link on its schedule (<see cref="PollScheduler"/>); only the always-on service does.</summary>
    public bool ScheduledPolls { get; } = mode == HostMode.Run;

    /// <summary>Publish the outbox and apply changes to the systems; false for a dry run.</summary>
    public bool Writes { get; private set; } = true;

    /// <summary>Makes this process read-only (<c>backfill --dry-run</c>); called before the host starts.</summary>
    public void ReadOnly() => Writes = false;
}
