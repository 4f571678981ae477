using System.Text.Json;

namespace MessageSync.Worker.Hosting;

/// <summary>A settings file the worker cannot use, described in one line (file, line, column, key); exit code 2.</summary>
public sealed class SettingsFileException(string message) : Exception(message);

/// <summary>
/// Checks an appsettings file the way the configuration's JSON provider reads it (comments and trailing commas allowed,
/// an object at the top, no key twice in one object) and, when it cannot be used, says why in one line naming the
/// file, the line, the column and the configuration key being read, instead of a parser's stack trace.
/// </summary>
public static class SettingsFile
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Null when the file can be loaded (or is optional and absent); otherwise the problem in one line.</summary>
    public static string? Problem(string path, bool optional) => Read(path, optional).Problem;

    /// <summary>
    /// Reads the file once and checks those bytes: either the content (null when optional and absent) or the problem.
    /// One read, so what was checked is what gets loaded even while the file is being replaced.
    /// </summary>
    public static (byte[]? Content, string? Problem) Read(string path, bool optional)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, optional ? null : $"{path}: the settings file does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            return (null, $"{path}: the settings file cannot be read (permission denied, or not a file)");
        }
        catch (IOException ex)
        {
            return (null, $"{path}: the settings file cannot be read: {ex.Message}");
        }

        // File.ReadAllText would drop a UTF-8 byte order mark; the reader does not.
        var json = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsSpan(3) : bytes;
        return Parse(path, json) is { } problem ? (null, problem) : (bytes, null);
    }

    /// <summary>Throws <see cref="SettingsFileException"/> when <see cref="Problem"/> finds one.</summary>
    public static void EnsureUsable(string path, bool optional)
    {
        if (Problem(path, optional) is { } problem)
        {
            throw new SettingsFileException(problem);
        }
    }

    internal static string? Parse(string path, ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (frames.Count == 0 && reader.TokenType == JsonTokenType.StartArray)
                        {
                            return At(path, bytes, reader.TokenStartIndex, frames, "the top level must be a JSON object ({ ... }), not an array");
                        }

                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        var frame = frames[^1];
                        if (!frame.Keys.Add(name))
                        {
                            frame.Property = name;
                            return At(path, bytes, reader.TokenStartIndex, frames, $"the key '{name}' appears twice in the same object");
                        }

                        frame.Property = name;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        ValueDone(frames);
                        break;
                    default:
                        if (frames.Count == 0)
                        {
                            return At(path, bytes, reader.TokenStartIndex, frames, "the top level must be a JSON object ({ ... })");
                        }

                        ValueDone(frames);
                        break;
                }
            }

            return null;
        }
        catch (JsonException) when (reader.TokenType == JsonTokenType.None)
        {
            return $"{path}: the settings file is empty (it must hold a JSON object, at least {{}})";
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            return Describe(path, (ex.LineNumber ?? 0) + 1, (ex.BytePositionInLine ?? 0) + 1, frames, cut > 0 ? message[..cut] : message);
        }
    }

    private static void ValueDone(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1].Index++;
        }
    }

    private static string At(string path, ReadOnlySpan<byte> bytes, long tokenStart, List<Frame> frames, string problem)
    {
        // Line and column of the token, counted as the reader counts them (lines by '\n', columns in bytes).
        var before = bytes[..(int)tokenStart];
        var lastNewLine = before.LastIndexOf((byte)'\n');
        return Describe(path, before.Count((byte)'\n') + 1, tokenStart - lastNewLine, frames, problem);
    }

    private static string Describe(string path, long line, long column, List<Frame> frames, string problem)
    {
        var key = string.Join(':', frames.Select(f => f.IsArray ? f.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) : f.Property).Where(s => s is not null));
        return $"{path}, line {line}, column {column}" + (key.Length > 0 ? $", key {key}" : "") + $": {problem}";
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
        public string? Property { get; set; }
        public HashSet<string> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
