namespace MessageSync.Adapters.People;

/// <summary>
/// One person as MessageSync knows them across the systems (<c>Sync:People</c>): whichever system a message of theirs
/// comes from, its mirrors are posted as them where the target's API allows it. Every field is optional; a person needs
/// at least one id or an e-mail to be found.
/// </summary>
public sealed record Person
{
    /// <summary>The name attribution lines show when a mirror cannot be posted as the person.</summary>
    public string? Name { get; init; }

    /// <summary>Matched against the e-mail a message carries (Pylon authors, the Pylon issue's contacts).</summary>
    public string? Email { get; init; }

    /// <summary>The person as a Pylon user (an agent): notes and opted-in replies are posted with this <c>user_id</c>.</summary>
    public string? PylonUserId { get; init; }

    /// <summary>The person as a Pylon contact (a customer): customer messages are replies with this <c>contact_id</c>.</summary>
    public string? PylonContactId { get; init; }

    /// <summary>The helpdesk's <c>authorId</c> of the person's messages (the helpdesk API names authors by id only).</summary>
    public string? HelpdeskAuthorId { get; init; }

    /// <summary>The person's Cord user id: <c>authorID</c> of their Cord messages and of mirrors written as them.</summary>
    public string? CordUserId { get; init; }
}
