using System.Text.Json;
using MessageSync.Worker.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace MessageSync.Worker.Options;

/// <summary>
/// The configuration in force. Start-up validation is <c>ValidateOnStart</c>; on a reload the new <c>Sync</c> section is
/// validated by the same validator and either put in force or refused with one log line, the last good
/// <see cref="SyncOptions"/> staying in force (an <see cref="IOptionsMonitor{T}"/> would instead throw at every read until
/// the file is fixed). A settings file that cannot be read or parsed is refused the same way (<see cref="SettingsFileWatch"/>).
/// The "reloaded" line names the keys that changed; a change to a setting read only at start says it needs a restart.
/// </summary>
public sealed partial class SyncSettings : IDisposable
{
    /// <summary>
    /// The settings that take effect without a restart: links, people, polling and relay intervals, target policies and
    /// the log level. Everything else (transport, broker, HTTP, state store, log format, the systems' sections) is read at start.
    /// </summary>
    public static readonly IReadOnlyList<string> Reloadable =
        ["Sync:Links", "Sync:People", "Sync:Polling", "Sync:Targets", "Sync:Logging:MinimumLevel"];

    private readonly IConfiguration _configuration;
    private readonly IValidateOptions<SyncOptions> _validator;
    private readonly ILogger<SyncSettings> _logger;
    private readonly SettingsFileWatch? _watch;
    private readonly IDisposable _subscription;
    private readonly object _gate = new();
    private SyncOptions _current;
    private Dictionary<string, string> _applied;
    private Dictionary<string, string>? _lastSeen;

    public SyncSettings(
        IConfiguration configuration, IOptions<SyncOptions> initial, IValidateOptions<SyncOptions> validator, ILogger<SyncSettings> logger,
        SettingsFileWatch? watch = null)
    {
        _configuration = configuration;
        _validator = validator;
        _logger = logger;
        _current = initial.Value;
        _applied = Snapshot(configuration);
        _watch = watch;
        if (watch is not null)
        {
            watch.Refused += OnFileRefused;
        }

        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => Reload());
    }

    public SyncOptions Current => Volatile.Read(ref _current);

    /// <summary>Raised after a valid reload was put in force, before the "reloaded" line is logged.</summary>
    public event Action<SyncOptions>? Changed;

    public static bool IsReloadable(string key) =>
        Reloadable.Any(prefix => key.Equals(prefix, StringComparison.OrdinalIgnoreCase) || key.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>Re-reads configuration; returns false (and keeps the last good options) when it is invalid.</summary>
    public bool Reload()
    {
        lock (_gate)
        {
            // The configuration root raises its change token once per provider reload: act once per distinct content.
            var seen = Snapshot(_configuration);
            if (_lastSeen is not null && SameContent(seen, _lastSeen))
            {
                return true;
            }

            _lastSeen = seen;
            var changed = seen.Keys.Union(_applied.Keys, StringComparer.OrdinalIgnoreCase)
                .Where(k => !_applied.TryGetValue(k, out var before) || !seen.TryGetValue(k, out var after) || before != after)
                .Order(StringComparer.OrdinalIgnoreCase)
                .ToList();
            if (changed.Count == 0)
            {
                return true;
            }

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

            _applied = seen;
            candidate = KeepStartOnly(candidate, Current);
            if (JsonSerializer.Serialize(candidate) != JsonSerializer.Serialize(Current))
            {
                Volatile.Write(ref _current, candidate);
                Changed?.Invoke(candidate);
            }

            var inForce = changed.Where(k => IsReloadable(k) && ConfigurationSchema.Check(k) is null).ToList();
            var atRestart = changed.Where(k => !IsReloadable(k) && ConfigurationSchema.Check(k) is null).ToList();
            var ignored = changed.Where(k => ConfigurationSchema.Check(k) is not null).ToList();
            if (inForce.Count > 0)
            {
                var keys = string.Join(", ", inForce);
                LogReloaded(_logger, keys, candidate.Links.Count);
            }

            if (atRestart.Count > 0)
            {
                var keys = string.Join(", ", atRestart);
                LogNeedsRestart(_logger, keys);
            }

            if (ignored.Count > 0)
            {
                var keys = string.Join(", ", ignored);
                LogIgnored(_logger, keys);
            }

            return true;
        }
    }

    public void Dispose()
    {
        if (_watch is not null)
        {
            _watch.Refused -= OnFileRefused;
        }

        _subscription.Dispose();
    }

    private void OnFileRefused(string problem) => LogRefused(_logger, problem);

    /// <summary>
    /// The settings read only at start keep their start values in <see cref="Current"/>, so nothing reads a transport or
    /// an address the process is not using: each section listed in <see cref="Reloadable"/> comes from the reload, every
    /// other from the running options (a section added to <see cref="SyncOptions"/> is read at start until listed there).
    /// </summary>
    private static SyncOptions KeepStartOnly(SyncOptions candidate, SyncOptions running)
    {
        var kept = new SyncOptions();
        foreach (var property in typeof(SyncOptions).GetProperties().Where(p => p.CanWrite))
        {
            property.SetValue(kept, property.GetValue(IsReloadable($"{SyncOptions.Section}:{property.Name}") ? candidate : running));
        }

        // Logging is reloadable in part: its level, not its format or file (the sinks are built at start).
        kept.Logging = new LoggingOptions { Format = running.Logging.Format, File = running.Logging.File, MinimumLevel = candidate.Logging.MinimumLevel };
        return kept;
    }

    /// <summary>Every value under <c>Sync</c> as the configuration now reads it (the last source wins).</summary>
    private static Dictionary<string, string> Snapshot(IConfiguration configuration) =>
        configuration.GetSection(SyncOptions.Section).AsEnumerable()
            .Where(kv => kv.Value is not null)
            .ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.OrdinalIgnoreCase);

    private static bool SameContent(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var value) && value == kv.Value);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration reload refused, the last good configuration stays in force: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded, in force now: {Keys} ({LinkCount} configured link(s))")]
    private static partial void LogReloaded(ILogger logger, string keys, int linkCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration changed, but these settings are read only at start and take effect after a restart: {Keys}")]
    private static partial void LogNeedsRestart(ILogger logger, string keys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration changed, but these keys are not settings and are ignored: {Keys}")]
    private static partial void LogIgnored(ILogger logger, string keys);
}
