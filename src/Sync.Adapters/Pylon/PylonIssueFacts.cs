using System.Globalization;
using MessageSync.Adapters.Pylon.Models;
using MessageSync.Core.Model;

namespace MessageSync.Adapters.Pylon;

/// <summary>
/// What reads taught us about one issue: the latest customer-visible message (a reply's anchor) and the contacts seen,
/// from the pollers' pages, a full listing and our own replies.
/// </summary>
internal sealed class PylonIssueFacts
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PylonMiniContact> _contacts = new(StringComparer.Ordinal);
    private string? _latestVisible;
    private DateTimeOffset _latestAt = DateTimeOffset.MinValue;

    /// <summary>True once the whole issue was listed: every contact it had then is known.</summary>
    public bool ContactsListed { get; private set; }

    /// <summary>One listing of the issue at a time (never disposed: it has no wait handle).</summary>
    public SemaphoreSlim ListingGate { get; } = new(1, 1);

    /// <summary>How many full listings have completed.</summary>
    public int Listings => Volatile.Read(ref _listings);

    private int _listings;

    public string? LatestVisible
    {
        get
        {
            lock (_gate)
            {
                return _latestVisible;
            }
        }
    }

    public void Observe(PylonMessage message)
    {
        lock (_gate)
        {
            ObserveLocked(message);
        }
    }

    /// <summary>A full listing is the truth: the anchor is the latest visible message in it.</summary>
    public void Listed(IReadOnlyList<PylonMessage> messages)
    {
        lock (_gate)
        {
            (_latestVisible, _latestAt) = (null, DateTimeOffset.MinValue);
            foreach (var m in messages)
            {
                ObserveLocked(m);
            }

            ContactsListed = true;
            Interlocked.Increment(ref _listings);
        }
    }

    public void Replied(string messageId, DateTimeOffset at)
    {
        lock (_gate)
        {
            (_latestVisible, _latestAt) = (messageId, at);
        }
    }

    /// <summary>Forgets an anchor that turned out to be gone.</summary>
    public void Forget(string messageId)
    {
        lock (_gate)
        {
            if (_latestVisible == messageId)
            {
                (_latestVisible, _latestAt) = (null, DateTimeOffset.MinValue);
            }
        }
    }

    /// <summary>A contact of the issue whose e-mail is one of <paramref name="emails"/>.</summary>
    public string? ContactWithEmail(params string?[] emails)
    {
        lock (_gate)
        {
            return _contacts.Values.FirstOrDefault(c => c.Email is { Length: > 0 } e
                && emails.Any(x => string.Equals(x?.Trim(), e.Trim(), StringComparison.OrdinalIgnoreCase)))?.Id;
        }
    }

    private void ObserveLocked(PylonMessage message)
    {
        if (message.Author?.Contact is { Id: { } contactId } contact)
        {
            _contacts[contactId] = contact;
        }

        if (message.Id is not null && PylonMapper.KindOf(message) != MessageKind.InternalNote
            && DateTimeOffset.TryParse(message.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            && at >= _latestAt)
        {
            (_latestVisible, _latestAt) = (message.Id, at);
        }
    }
}
