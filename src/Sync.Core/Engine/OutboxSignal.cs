namespace MessageSync.Core.Engine;

/// <summary>
/// A wake-up call for a loop that otherwise sleeps until its next tick: any number of <see cref="Notify"/> calls before
/// the loop waits again collapse into one wake-up.
/// </summary>
public class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled: one wake-up is enough.
            }
        }
    }

    /// <returns>True when woken by <see cref="Notify"/>, false on timeout.</returns>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _signal.Dispose();
        }
    }
}

/// <summary>Wakes the outbox relay as soon as a commit wrote outbox rows, instead of waiting for its next tick.</summary>
public sealed class OutboxSignal : WakeSignal;
