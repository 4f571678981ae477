namespace MessageSync.Simulators;

/// <summary>
/// The response of one request, held after the request took effect (armed with <see cref="SimulatorBase.HoldNextResponse"/>).
/// It places a crash exactly between a client's remote write and whatever the client records once the answer arrives:
/// the test waits for <see cref="Reached"/>, kills the client, then calls <see cref="Release"/>.
/// </summary>
public sealed class ResponseHold
{
    private readonly TaskCompletionSource<string> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal ResponseHold(string endpointKey) => EndpointKey = endpointKey;

    public string EndpointKey { get; }

    /// <summary>Completes, with the request's path, once a request has taken effect and its response is being held.</summary>
    public Task<string> Reached => _reached.Task;

    /// <summary>Lets the held response go (to a client that may be gone by now). Safe to call more than once.</summary>
    public void Release() => _released.TrySetResult();

    internal Task WaitForReleaseAsync(string path, CancellationToken requestAborted)
    {
        _reached.TrySetResult(path);
        return _released.Task.WaitAsync(requestAborted);
    }
}
