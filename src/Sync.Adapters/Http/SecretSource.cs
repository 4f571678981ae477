namespace MessageSync.Adapters.Http;

/// <summary>
/// A credential given either as a value or as a file path (a Kubernetes Secret mounted as a file). The file is
/// re-read when its write time changes, so a renewed token is picked up without a restart.
/// </summary>
public sealed class SecretSource(string? value, string? filePath, TimeProvider? timeProvider = null) : ITokenSource
{
    private readonly object _gate = new();
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private string? _cached;
    private DateTime _cachedWriteTime;
    private long _lastCheck = long.MinValue;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(value) || !string.IsNullOrWhiteSpace(filePath);

    /// <summary>The current secret, trimmed; an empty or unreadable file gives null (the caller reports it).</summary>
    public string? Current()
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value.Trim();
        }

        if (string.IsNullOrWhiteSpace(filePath))
        {
            return null;
        }

        lock (_gate)
        {
            // Checking the write time costs a stat call; once a second is enough for a token that changes hourly.
            var now = _time.GetTimestamp();
            if (_cached is not null && _time.GetElapsedTime(_lastCheck, now) < TimeSpan.FromSeconds(1))
            {
                return _cached;
            }

            _lastCheck = now;
            try
            {
                var writeTime = File.GetLastWriteTimeUtc(filePath);
                if (_cached is null || writeTime != _cachedWriteTime)
                {
                    var text = File.ReadAllText(filePath).Trim();
                    _cached = text.Length == 0 ? null : text;
                    _cachedWriteTime = writeTime;
                }
            }
            catch (IOException)
            {
                // Keep the last good value while the file is being replaced.
            }
            catch (UnauthorizedAccessException)
            {
            }

            return _cached;
        }
    }

    /// <summary>Forgets the cached file content so the next call reads the file again (after a 401).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _lastCheck = long.MinValue;
            _cachedWriteTime = default;
            _cached = null;
        }
    }
}
