using System.Collections.Concurrent;
using AngleSharp.Html.Parser;

namespace MessageSync.Core.Content;

/// <summary>
/// Remembers the results of a pure function of a message body (sanitise, strip the marker, find the marker), so that a
/// poll that reads the same bodies again does not parse them again: a poll reads every message of a page (a full scan,
/// every message of the conversation), and parsing was most of the worker's CPU per mirrored write (issue 13).
/// </summary>
/// <remarks>
/// Bounded by characters, in two generations: lookups try the current generation, then the previous one (promoting a hit);
/// when the current one has taken <see cref="GenerationChars"/> characters of keys and values it becomes the previous one
/// and the older is dropped. So at most twice the budget is held, and what a poll reads again stays. Five memos share the
/// process: 1,000,000 characters a generation keeps the worker under 200 MiB with 100,000 mappings (2,000,000 held
/// 15-20 MiB more; the CPU per mirrored write did not measurably change, bench --cpu). Keys compare
/// ordinally, whole (never by hash alone); bodies longer than <see cref="MaxKeyChars"/> are not remembered.
/// </remarks>
internal sealed class ContentMemo<T>
{
    internal const int GenerationChars = 1_000_000;
    internal const int MaxKeyChars = 32_768;

    private readonly Func<T, int> _size;
    private ConcurrentDictionary<string, T> _current = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, T> _previous = new(StringComparer.Ordinal);
    private int _chars;

    public ContentMemo(Func<T, int> size) => _size = size;

    /// <summary>Entries held in both generations (tests).</summary>
    internal int Count => _current.Count + _previous.Count;

    public T Get(string key, Func<string, T> compute)
    {
        if (key.Length > MaxKeyChars)
        {
            return compute(key);
        }

        var current = _current;
        if (current.TryGetValue(key, out var value))
        {
            return value;
        }

        if (!_previous.TryGetValue(key, out value))
        {
            value = compute(key);
        }

        Add(key, value);
        return value;
    }

    /// <summary>Records <paramref name="value"/> for <paramref name="key"/> (a result known without computing it).</summary>
    public void Add(string key, T value)
    {
        if (key.Length > MaxKeyChars)
        {
            return;
        }

        var current = _current;
        if (current.TryAdd(key, value) && Interlocked.Add(ref _chars, key.Length + _size(value)) > GenerationChars)
        {
            // A race here at worst drops a generation early or keeps one a little over budget.
            lock (this)
            {
                if (ReferenceEquals(current, _current))
                {
                    _previous = current;
                    _current = new ConcurrentDictionary<string, T>(StringComparer.Ordinal);
                    Interlocked.Exchange(ref _chars, 0);
                }
            }
        }
    }
}

/// <summary>One AngleSharp HTML parser per thread: building one sets up a browsing context, which cost as much as parsing a short body.</summary>
internal static class Parsers
{
    [ThreadStatic]
    private static HtmlParser? _parser;

    public static HtmlParser Html => _parser ??= new HtmlParser(new HtmlParserOptions { IsScripting = false });
}
