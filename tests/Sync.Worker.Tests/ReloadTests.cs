using MessageSync.Core.Model;
using MessageSync.Core.Routing;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;

namespace MessageSync.Worker.Tests;

/// <summary>
/// Reload over a real settings file read by the worker's own provider (the test reloads by hand where the file watcher
/// would): each kind of reloadable setting takes effect, the line names the keys, a broken file is refused in one line.
/// </summary>
public sealed class ReloadTests : IDisposable
{
    private const string Start = """
        { "Sync": {
            "Polling": { "ActiveInterval": "00:00:05", "IdleInterval": "00:01:00" },
            "Logging": { "MinimumLevel": "Warning" },
            "Links": [ { "Id": "one", "PylonIssueId": "iss_1", "CordThreadId": "th_1" } ],
            "Targets": { "Cord": { "Deletion": "Delete" } }
        } }
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ms-reload-" + Guid.NewGuid().ToString("N"));
    private readonly string _file;
    private readonly IConfigurationRoot _configuration;
    private readonly SettingsFileWatch _watch = new();
    private readonly ListLogger<SyncSettings> _log = new();
    private readonly SyncSettings _settings;

    public ReloadTests()
    {
        Directory.CreateDirectory(_folder);
        _file = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(_file, Start);
        _configuration = new ConfigurationBuilder().Add(new SettingsFileSource(_file, optional: false, reloadOnChange: false, _watch)).Build();
        var systems = new ConfiguredSystems(new HashSet<SystemId> { SystemId.Pylon, SystemId.Helpdesk, SystemId.Cord });
        var initial = _configuration.GetSection("Sync").Get<SyncOptions>()!;
        _settings = new SyncSettings(_configuration, Microsoft.Extensions.Options.Options.Create(initial), new SyncOptionsValidator(systems), _log, _watch);
    }

    [Fact]
    public void Links_take_effect_and_the_line_names_the_keys_that_changed()
    {
        Rewrite(s => s.Replace("""{ "Id": "one", "PylonIssueId": "iss_1", "CordThreadId": "th_1" }""",
            """{ "Id": "one", "PylonIssueId": "iss_1", "CordThreadId": "th_1" }, { "Id": "two", "HelpdeskTicketId": "tkt_2", "CordThreadId": "th_2" }""", StringComparison.Ordinal));

        Assert.Equal(["one", "two"], _settings.Current.Links.Select(l => l.Id));
        var line = Assert.Single(_log.Lines, l => l.StartsWith("Information: Configuration reloaded", StringComparison.Ordinal));
        Assert.Contains("Sync:Links:1:CordThreadId, Sync:Links:1:HelpdeskTicketId, Sync:Links:1:Id", line, StringComparison.Ordinal);
        Assert.Contains("(2 configured link(s))", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Polling_intervals_take_effect()
    {
        Rewrite(s => s.Replace("\"IdleInterval\": \"00:01:00\"", "\"IdleInterval\": \"00:00:20\", \"RelayInterval\": \"00:00:00.250\"", StringComparison.Ordinal));

        Assert.Equal(TimeSpan.FromSeconds(20), _settings.Current.Polling.IdleInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), _settings.Current.Polling.RelayInterval);
        Assert.Contains(_log.Lines, l => l.Contains("in force now: Sync:Polling:IdleInterval, Sync:Polling:RelayInterval (", StringComparison.Ordinal));
    }

    [Fact]
    public void Target_policies_take_effect_where_the_router_reads_them()
    {
        var policies = new ConfiguredTargetPolicies(_settings);
        Assert.Equal(DeletionPolicy.Delete, policies.For(SystemId.Cord).Deletion);

        Rewrite(s => s.Replace("\"Deletion\": \"Delete\"", "\"Deletion\": \"Ignore\"", StringComparison.Ordinal));

        Assert.Equal(DeletionPolicy.Ignore, policies.For(SystemId.Cord).Deletion);
        Assert.Contains(_log.Lines, l => l.Contains("in force now: Sync:Targets:Cord:Deletion", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_log_level_takes_effect_before_the_reloaded_line_is_written()
    {
        var level = new LoggingLevelSwitch(SyncLogging.ParseLevel(_settings.Current.Logging.MinimumLevel));
        var follower = new LogLevelFollower(_settings, level);
        await follower.StartAsync(CancellationToken.None);
        Assert.Equal(LogEventLevel.Warning, level.MinimumLevel);
        LogEventLevel? levelWhenLogged = null;
        _log.OnLine = _ => levelWhenLogged ??= level.MinimumLevel;

        Rewrite(s => s.Replace("\"MinimumLevel\": \"Warning\"", "\"MinimumLevel\": \"Debug\"", StringComparison.Ordinal));

        Assert.Equal(LogEventLevel.Debug, level.MinimumLevel);
        Assert.Equal(LogEventLevel.Debug, levelWhenLogged);
        Assert.Contains(_log.Lines, l => l.Contains("in force now: Sync:Logging:MinimumLevel", StringComparison.Ordinal));
        await follower.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void A_setting_read_at_start_is_named_as_needing_a_restart_and_is_not_pretended_in_force()
    {
        Rewrite(s => s.Replace("\"Logging\": {", "\"Transport\": \"RabbitMQ\", \"Http\": { \"Urls\": \"http://127.0.0.1:9999\" }, \"Pylon\": { \"BaseUrl\": \"http://pylon.example\" }, \"Logging\": {", StringComparison.Ordinal));

        Assert.Equal(TransportKind.InMemory, _settings.Current.Transport);
        Assert.Equal("http://127.0.0.1:8080", _settings.Current.Http.Urls);
        var line = Assert.Single(_log.Lines, l => l.Contains("take effect after a restart", StringComparison.Ordinal));
        Assert.Contains("Sync:Http:Urls, Sync:Pylon:BaseUrl, Sync:Transport", line, StringComparison.Ordinal);
        Assert.DoesNotContain(_log.Lines, l => l.Contains("Configuration reloaded", StringComparison.Ordinal));
    }

    [Fact]
    public void An_invalid_value_is_refused_naming_its_key_and_the_last_good_configuration_stays()
    {
        Rewrite(s => s.Replace("\"00:00:05\"", "\"00:00:00\"", StringComparison.Ordinal));

        Assert.Equal(TimeSpan.FromSeconds(5), _settings.Current.Polling.ActiveInterval);
        var line = Assert.Single(_log.Lines);
        Assert.StartsWith("Error: Configuration reload refused, the last good configuration stays in force: Sync:Polling:ActiveInterval: '00:00:00'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_is_refused_in_one_line_naming_file_and_line_and_the_last_good_values_stay()
    {
        Rewrite(s => s[..(s.IndexOf("\"Links\"", StringComparison.Ordinal) + 10)]);

        var line = Assert.Single(_log.Lines);
        Assert.StartsWith($"Error: Configuration reload refused, the last good configuration stays in force: {_file}, line ", line, StringComparison.Ordinal);
        Assert.Equal("one", _configuration["Sync:Links:0:Id"]);
        Assert.Equal("one", _settings.Current.Links.Single().Id);

        Rewrite(_ => Start.Replace("00:01:00", "00:02:00", StringComparison.Ordinal));

        Assert.Equal(TimeSpan.FromMinutes(2), _settings.Current.Polling.IdleInterval);
        Assert.Contains(_log.Lines, l => l.Contains("in force now: Sync:Polling:IdleInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_that_disappears_or_cannot_be_read_is_refused_and_its_values_stay()
    {
        File.Delete(_file);
        _configuration.Reload();
        Directory.CreateDirectory(_file);
        _configuration.Reload();

        Assert.Equal(2, _log.Lines.Count);
        Assert.EndsWith($"{_file}: the settings file does not exist", _log.Lines[0], StringComparison.Ordinal);
        Assert.Contains($"{_file}: the settings file cannot be read", _log.Lines[1], StringComparison.Ordinal);
        Assert.Equal("one", _configuration["Sync:Links:0:Id"]);
        Assert.Single(_settings.Current.Links);
    }

    private void Rewrite(Func<string, string> change)
    {
        File.WriteAllText(_file, change(Start));
        _configuration.Reload();
    }

    public void Dispose()
    {
        _settings.Dispose();
        (_configuration as IDisposable)?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>Collects "Level: message" lines (the project's own seam for a logger, no mocking library needed).</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<string> _lines = [];

    public Action<string>? OnLine { get; set; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{logLevel}: {formatter(state, exception)}";
        lock (_lines)
        {
            _lines.Add(line);
        }

        OnLine?.Invoke(line);
    }
}
