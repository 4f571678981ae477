namespace MessageSync.Adapters.Webhooks;

/// <summary>
/// Remembers the signatures of the webhooks accepted within the freshness window, so the same delivery sent again is
/// refused: outside the window its timestamp is stale, inside it its signature is known. Entries are kept only until
/// their timestamp leaves the window; the set is bounded (the oldest go first) so a flood cannot grow it without end.
/// Per process: another replica may accept a replay once, which costs one early poll (a webhook is only a hint).
/// </summary>
public sealed class ReplayGuard(TimeSpan window, TimeProvider? timeProvider = null, int capacity = 100_000)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Signature, DateTimeOffset Expires)> _order = new();

    /// <summary>True the first time <paramref name="signature"/> is offered; false for a replay.</summary>
    public bool FirstSeen(string signature, DateTimeOffset signedAt)
    {
        var now = _time.GetUtcNow();
        var expires = (signedAt > now ? signedAt : now) + window;
        lock (_gate)
        {
            while (_order.Count > 0 && (_order.Peek().Expires <= now || _order.Count >= capacity))
            {
                var (old, _) = _order.Dequeue();
                _seen.Remove(old);
            }

            if (_seen.ContainsKey(signature))
            {
                return false;
            }

            _seen[signature] = expires;
            _order.Enqueue((signature, expires));
            return true;
        }
    }
}
