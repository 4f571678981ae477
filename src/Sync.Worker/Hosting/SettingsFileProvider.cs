using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace MessageSync.Worker.Hosting;

/// <summary>
/// Reports a settings file refused on reload (unreadable, missing, not valid JSON): the file keeps its last good
/// values meanwhile. <see cref="Options.SyncSettings"/> logs each refusal in one line.
/// </summary>
public sealed class SettingsFileWatch
{
    /// <summary>Raised with the one-line problem when a changed file cannot be used.</summary>
    public event Action<string>? Refused;

    internal void Refuse(string problem) => Refused?.Invoke(problem);
}

/// <summary>An appsettings file read by <see cref="SettingsFileProvider"/>.</summary>
public sealed class SettingsFileSource(string path, bool optional, bool reloadOnChange, SettingsFileWatch watch) : IConfigurationSource
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);
    public bool Optional { get; } = optional;
    public bool ReloadOnChange { get; } = reloadOnChange;
    public SettingsFileWatch Watch { get; } = watch;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new SettingsFileProvider(this);
}

/// <summary>
/// An appsettings JSON file, read as the framework's JSON provider reads it, with one difference that matters to an
/// always-on worker: once loaded, a change that leaves the file unusable (truncated, invalid JSON, unreadable, gone) is
/// refused and reported, and the file's last good values stay in force. The framework's provider would empty the file's
/// values, or throw on a watcher thread, and say nothing. At start an unusable file is an error
/// (<see cref="SettingsFileException"/>, exit 2).
/// </summary>
public sealed class SettingsFileProvider : ConfigurationProvider, IDisposable
{
    /// <summary>Editors and Kubernetes write a file in steps; wait for it to settle before reading (as the framework's ReloadDelay).</summary>
    private static readonly TimeSpan SettleDelay = TimeSpan.FromMilliseconds(250);

    private readonly SettingsFileSource _source;
    private readonly PhysicalFileProvider? _files;
    private readonly IDisposable? _watching;
    private bool _loaded;

    public SettingsFileProvider(SettingsFileSource source)
    {
        _source = source;
        if (source.ReloadOnChange && Directory.Exists(System.IO.Path.GetDirectoryName(source.Path)))
        {
            // The same watcher the framework's JSON provider uses (polling when DOTNET_USE_POLLING_FILE_WATCHER is set, as
            // the container image sets it: a ConfigMap is replaced through a symbolic link no file system event reports).
            _files = new PhysicalFileProvider(System.IO.Path.GetDirectoryName(source.Path)!);
            var name = System.IO.Path.GetFileName(source.Path);
            _watching = ChangeToken.OnChange(() => _files.Watch(name), () =>
            {
                Thread.Sleep(SettleDelay);
                Load();
            });
        }
    }

    public string Path => _source.Path;

    /// <summary>First call: the file must be usable. Later calls (a change, or <see cref="IConfigurationRoot.Reload"/>): refuse and keep the last good values.</summary>
    public override void Load()
    {
        var (content, problem) = SettingsFile.Read(_source.Path, _source.Optional && !_loaded);
        IDictionary<string, string?>? values = null;
        if (problem is null)
        {
            try
            {
                values = content is null ? new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) : Parse(content);
            }
            catch (FormatException ex)
            {
                // What SettingsFile does not check itself, the framework's parser still refuses: say so the same way.
                problem = $"{_source.Path}: {ex.Message}";
            }
        }

        if (problem is not null)
        {
            if (!_loaded)
            {
                throw new SettingsFileException(problem);
            }

            // Called from the file watcher: never throw here, keep the last good values and say why.
            _source.Watch.Refuse(problem);
            return;
        }

        Data = values!;
        var first = !_loaded;
        _loaded = true;
        if (!first)
        {
            OnReload();
        }
    }

    public override string ToString() => $"{GetType().Name} for '{_source.Path}' ({(_source.Optional ? "Optional" : "Required")})";

    public void Dispose()
    {
        _watching?.Dispose();
        _files?.Dispose();
    }

    /// <summary>The framework's own JSON parsing (flattening, arrays, empty objects), so values read exactly as with AddJsonFile.</summary>
    private static IDictionary<string, string?> Parse(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        var parser = new JsonParser(new JsonStreamConfigurationSource { Stream = stream });
        parser.Load(stream);
        return parser.Values;
    }

    private sealed class JsonParser(JsonStreamConfigurationSource source) : JsonStreamConfigurationProvider(source)
    {
        public IDictionary<string, string?> Values => Data;
    }
}
