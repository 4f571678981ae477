using MessageSync.Core.Model;
using MessageSync.Core.State;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// What the worker's own state says at the end of a run: the canonical id of each workload message (from its origin's
/// snapshot row), the open outcomes (what it reports it could not do) and the changes not yet applied everywhere.
/// Read through <see cref="IStateStore"/>, so any store provider serves.
/// </summary>
public sealed class WorkerStateView
{
    private readonly Dictionary<string, Guid> _canonical;
    private readonly Dictionary<Guid, string> _byCanonical;

    private WorkerStateView(Dictionary<string, Guid> canonical, IReadOnlyList<OutcomeRecord> open, IReadOnlyList<UnappliedChange> unapplied)
    {
        _canonical = canonical;
        _byCanonical = canonical.ToDictionary(kv => kv.Value, kv => kv.Key);
        OpenOutcomes = open;
        Unapplied = unapplied;
    }

    public IReadOnlyList<OutcomeRecord> OpenOutcomes { get; }

    public IReadOnlyList<UnappliedChange> Unapplied { get; }

    /// <summary>An empty view, for a verification that has no worker state to read (the verifier's own tests).</summary>
    public static WorkerStateView Empty { get; } = new([], [], []);

    public static async Task<WorkerStateView> ReadAsync(IStateStore store, Ledger ledger, CancellationToken cancellationToken = default)
    {
        var canonical = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var group in ledger.Messages.GroupBy(m => (m.Link.Id, m.Origin)))
        {
            // The origin's snapshot row of each original carries its canonical id.
            var snapshot = await store.GetSnapshotAsync(group.Key.Id, group.Key.Origin, cancellationToken);
            foreach (var message in group)
            {
                if (snapshot.TryGetValue(message.OriginExternalId, out var row))
                {
                    canonical[message.Id] = row.CanonicalId;
                }
            }
        }

        return new WorkerStateView(canonical, await store.ListOutcomesAsync(includeResolved: false, cancellationToken), await store.ListUnappliedChangesAsync(cancellationToken));
    }

    public Guid? CanonicalOf(LedgerMessage message) => _canonical.TryGetValue(message.Id, out var id) ? id : null;

    /// <summary>The workload message behind a canonical id, if it is one.</summary>
    public string? MessageIdOf(Guid? canonicalId) => canonicalId is { } id && _byCanonical.TryGetValue(id, out var m) ? m : null;

    /// <summary>Open outcomes of the message in <paramref name="target"/>.</summary>
    public IEnumerable<OutcomeRecord> OutcomesOf(LedgerMessage message, SystemId target) =>
        CanonicalOf(message) is { } id ? OpenOutcomes.Where(o => o.CanonicalId == id && o.Target == target) : [];
}
