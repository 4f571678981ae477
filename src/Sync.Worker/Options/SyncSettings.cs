using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace MessageSync.Worker.Options;

/// <summary>
/// The configuration in force. Start-up validation is <c>ValidateOnStart</c>; on a reload, an invalid file is
/// refused with one clear log line and the last good <see cref="SyncOptions"/> stays in force (an
/// <see cref="IOptionsMonitor{T}"/> would instead throw at every read until the file is fixed).
/// </summary>
public sealed partial class SyncSettings : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly IValidateOptions<SyncOptions> _validator;
    private readonly ILogger<SyncSettings> _logger;
    private readonly IDisposable _subscription;
    private SyncOptions _current;

    public SyncSettings(IConfiguration configuration, IOptions<SyncOptions> initial, IValidateOptions<SyncOptions> validator, ILogger<SyncSettings> logger)
    {
        _configuration = configuration;
        _validator = validator;
        _logger = logger;
        _current = initial.Value;
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => Reload());
    }

    public SyncOptions Current => Volatile.Read(ref _current);

    /// <summary>Raised after a valid reload was put in force.</summary>
    public event Action<SyncOptions>? Changed;

    /// <summary>Re-reads configuration; returns false (and keeps the last good options) when it is invalid.</summary>
    public bool Reload()
    {
        SyncOptions candidate;
        try
        {
            candidate = _configuration.GetSection(SyncOptions.Section).Get<SyncOptions>() ?? new SyncOptions();
        }
        catch (InvalidOperationException ex)
        {
            LogRefused(_logger, ex.Message);
            return false;
        }

        var result = _validator.Validate(null, candidate);
        if (result.Failed)
        {
            LogRefused(_logger, result.FailureMessage);
            return false;
        }

        // A reload of the configuration root raises its change token more than once; announce real changes only.
        if (JsonSerializer.Serialize(candidate) == JsonSerializer.Serialize(Current))
        {
            return true;
        }

        Volatile.Write(ref _current, candidate);
        LogReloaded(_logger, candidate.Links.Count);
        Changed?.Invoke(candidate);
        return true;
    }

    public void Dispose() => _subscription.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration reload refused, the last good configuration stays in force: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded: {LinkCount} configured link(s)")]
    private static partial void LogReloaded(ILogger logger, int linkCount);
}
