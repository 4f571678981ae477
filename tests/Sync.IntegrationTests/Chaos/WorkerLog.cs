using System.Globalization;
using System.Text;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// Everything every run of one worker printed, in one file across kills and restarts (each line tagged with its pid,
/// with a line for each start, kill and stop), so a failed scenario can be read from its start to its end.
/// </summary>
public sealed class WorkerLog : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();
    private int _errorLines;

    public WorkerLog(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
    }

    public string Path { get; }

    /// <summary>Lines the worker logged at error or fatal level ("ERR"/"FTL"), over all its runs.</summary>
    public int ErrorLines => Volatile.Read(ref _errorLines);

    public void Line(int pid, string line)
    {
        if (line.Contains(" ERR] ", StringComparison.Ordinal) || line.Contains(" FTL] ", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _errorLines);
        }

        lock (_gate)
        {
            _writer.WriteLine($"{pid,7} {line}");
        }
    }

    /// <summary>A line of the harness's own (start, kill, stop, outage), marked "====".</summary>
    public void Note(string text)
    {
        lock (_gate)
        {
            _writer.WriteLine($"==== {DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {text}");
        }
    }

    /// <summary>How many lines of the log contain <paramref name="text"/>.</summary>
    public int LinesContaining(string text)
    {
        lock (_gate)
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var count = 0;
            while (reader.ReadLine() is { } line)
            {
                count += line.Contains(text, StringComparison.Ordinal) ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>The last <paramref name="lines"/> lines, with the file's path, for a failure message.</summary>
    public string Tail(int lines)
    {
        string[] all;
        lock (_gate)
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            all = reader.ReadToEnd().Split('\n');
        }

        return $"--- last {lines} lines of {Path} ---\n" + string.Join('\n', all.TakeLast(lines));
    }

    public void Dispose() => _writer.Dispose();
}
