using MessageSync.Adapters.People;

namespace MessageSync.Worker.Options;

/// <summary>
/// <c>Sync:People</c> (<see cref="SyncOptions.People"/>): each entry a <see cref="Person"/> across the systems, so a
/// mirror of their message is posted as them wherever the target's API allows (Pylon <c>user_id</c> for an agent,
/// <c>contact_id</c> for a customer; Cord <c>authorID</c>) and attributed by name elsewhere.
/// </summary>
public static class PeopleOptions
{
    /// <summary>
    /// Adds a failure for each entry that names no id or e-mail, has a malformed e-mail, or claims an e-mail or an id that
    /// another entry claims: two people behind one id would post one person's messages as the other.
    /// </summary>
    internal static void Validate(IReadOnlyList<Person> people, List<string> failures)
    {
        var claimed = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < people.Count; i++)
        {
            var key = $"{SyncOptions.Section}:People:{i}";
            var p = PeopleDirectory.Normalized(people[i]);
            var ids = new (string Field, string? Value)[]
            {
                ("Email", p.Email), ("PylonUserId", p.PylonUserId), ("PylonContactId", p.PylonContactId),
                ("HelpdeskAuthorId", p.HelpdeskAuthorId), ("CordUserId", p.CordUserId),
            };
            if (ids.All(x => x.Value is null))
            {
                failures.Add($"{key}: a person needs at least one of Email, PylonUserId, PylonContactId, HelpdeskAuthorId, CordUserId");
            }

            if (p.Email is { } email && (email.Count(c => c == '@') != 1 || email.StartsWith('@') || email.EndsWith('@') || email.Any(char.IsWhiteSpace)))
            {
                failures.Add($"{key}:Email: '{email}' is not an e-mail address");
            }

            foreach (var (field, value) in ids.Where(x => x.Value is not null))
            {
                if (!claimed.TryAdd($"{field}\n{value}", i))
                {
                    failures.Add($"{key}:{field}: '{value}' is already given to {SyncOptions.Section}:People:{claimed[$"{field}\n{value}"]}");
                }
            }
        }
    }

    /// <summary>The adapters read <c>Sync:People</c> as it is in force (current after every valid reload).</summary>
    public static IServiceCollection AddSyncPeople(this IServiceCollection services) =>
        services.AddSingleton<IPeopleSource>(sp =>
        {
            var settings = sp.GetRequiredService<SyncSettings>();
            return new PeopleSource(sp, () =>
            {
                var current = settings.Current;
                return (current, current.People);
            }, sp.GetRequiredService<ILogger<PeopleSource>>());
        });
}
