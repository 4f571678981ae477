using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.People;

/// <summary>
/// The people of <c>Sync:People</c>, indexed: who wrote a canonical message is looked up by the author's id in the
/// system the message came from (Pylon user or contact, helpdesk author, Cord user), then by e-mail. Immutable; a
/// reloaded configuration builds a new one.
/// </summary>
public sealed class PeopleDirectory
{
    private readonly Dictionary<(SystemId System, bool Customer), Dictionary<string, Person>> _byId = [];
    private readonly Dictionary<string, Person> _byEmail = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Indexes <paramref name="people"/>; where two entries claim the same id or e-mail the first wins (configuration is
    /// validated against that at start; the legacy e-mail maps come after <c>Sync:People</c> and never override it).
    /// </summary>
    public PeopleDirectory(IEnumerable<Person> people)
    {
        ArgumentNullException.ThrowIfNull(people);
        foreach (var person in people.Select(Normalized))
        {
            Index(SystemId.Pylon, customer: false, person.PylonUserId, person);
            Index(SystemId.Pylon, customer: true, person.PylonContactId, person);
            Index(SystemId.Helpdesk, customer: false, person.HelpdeskAuthorId, person);
            Index(SystemId.Cord, customer: false, person.CordUserId, person);
            if (person.Email is { } email)
            {
                _byEmail.TryAdd(email, person);
            }

            Count++;
        }
    }

    public static PeopleDirectory Empty { get; } = new([]);

    /// <summary>How many entries were indexed.</summary>
    public int Count { get; }

    /// <summary>The person who wrote <paramref name="message"/>, or null when nobody configured matches.</summary>
    public Person? AuthorOf(CanonicalMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var author = message.Author;
        // Pylon names customers and agents with ids from two different sets (contacts and users); the others have one.
        var customer = message.Origin.System == SystemId.Pylon && author.IsCustomer;
        if (author.ExternalId is { Length: > 0 } id
            && _byId.TryGetValue((message.Origin.System, customer), out var ids) && ids.TryGetValue(id, out var byId))
        {
            return byId;
        }

        return author.Email is { Length: > 0 } email && _byEmail.TryGetValue(email.Trim(), out var byEmail) ? byEmail : null;
    }

    /// <summary>
    /// The request with the author shown by the person's configured name (attribution lines say "Ana Ruiz via helpdesk",
    /// not the helpdesk's author id) and e-mail where the message carried none.
    /// </summary>
    public WriteRequest Named(WriteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (AuthorOf(request.Message) is not { } person)
        {
            return request;
        }

        var author = request.Message.Author;
        var named = author with
        {
            DisplayName = person.Name ?? author.DisplayName,
            Email = author.Email ?? person.Email,
        };
        return named == author ? request : request with { Message = request.Message with { Author = named } };
    }

    /// <summary>The entry with every value trimmed and blanks as null (configuration files carry stray spaces).</summary>
    public static Person Normalized(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        return new Person
        {
            Name = Blank(person.Name),
            Email = Blank(person.Email),
            PylonUserId = Blank(person.PylonUserId),
            PylonContactId = Blank(person.PylonContactId),
            HelpdeskAuthorId = Blank(person.HelpdeskAuthorId),
            CordUserId = Blank(person.CordUserId),
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private void Index(SystemId system, bool customer, string? id, Person person)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return;
        }

        if (!_byId.TryGetValue((system, customer), out var ids))
        {
            _byId[(system, customer)] = ids = new Dictionary<string, Person>(StringComparer.Ordinal);
        }

        ids.TryAdd(id, person);
    }
}
