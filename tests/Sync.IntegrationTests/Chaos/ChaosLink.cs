using MessageSync.Simulators;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// One linked conversation of a chaos run: a Pylon issue, a helpdesk ticket and a Cord thread in the simulators, and the
/// worker's <c>Sync:Links</c> entry for them. Some links mark their Cord thread customer-visible (internal notes must never
/// reach it; Cord authors are then the customer or a configured agent); one may deliver agent replies via Pylon.
/// </summary>
public sealed record ChaosLink(int Index, bool CordCustomerVisible, bool DeliverRepliesViaPylon)
{
    public string Id => $"chaos-{Index:D2}";

    public string Issue => $"iss_c{Index:D2}";

    public string Ticket => $"tkt_c{Index:D2}";

    public string Thread => $"th_c{Index:D2}";

    public string ContactId => $"contact_c{Index:D2}";

    public string ContactEmail => $"customer{Index:D2}@example.com";

    public string ContactName => $"Customer {Index:D2}";

    /// <summary>A Cord user the link names in <c>CordAgentUserIds</c> (an agent in a customer-visible thread).</summary>
    public string CordAgent => $"cord_agent_{Index:D2}";

    /// <summary>The customer's own Cord user (customer-visible threads only).</summary>
    public string CordCustomer => $"cord_customer_{Index:D2}";

    /// <summary>A colleague in an internal Cord thread (everything there is an internal note).</summary>
    public string CordColleague => $"cord_colleague_{Index:D2}";

    /// <summary>
    /// <paramref name="count"/> links: every fourth (1, 5, ...) with a customer-visible Cord thread, the fourth of every
    /// eight (3, 11, ...) delivering replies via Pylon, the rest plain.
    /// </summary>
    public static IReadOnlyList<ChaosLink> Mix(int count) =>
        Enumerable.Range(0, count).Select(i => new ChaosLink(i, CordCustomerVisible: i % 4 == 1, DeliverRepliesViaPylon: i % 8 == 3)).ToList();

    /// <summary>Creates the three conversations in the simulators.</summary>
    public void CreateIn(SimulatorHost sims)
    {
        sims.Pylon.CreateIssue(Issue, ContactId, ContactEmail, ContactName);
        sims.Helpdesk.CreateTicket(Ticket);
        sims.Cord.CreateThread(Thread, $"Support {Index:D2}", $"https://app.example.com/t/{Index}", "group_chaos");
    }

    /// <summary>The worker settings of this link as <c>Sync:Links:{position}</c>.</summary>
    public IEnumerable<string> Settings(int position)
    {
        var prefix = $"Sync:Links:{position}:";
        yield return $"{prefix}Id={Id}";
        yield return $"{prefix}PylonIssueId={Issue}";
        yield return $"{prefix}HelpdeskTicketId={Ticket}";
        yield return $"{prefix}CordThreadId={Thread}";
        if (CordCustomerVisible)
        {
            yield return $"{prefix}CordThreadCustomerVisible=true";
            yield return $"{prefix}CordAgentUserIds:0={CordAgent}";
        }

        if (DeliverRepliesViaPylon)
        {
            yield return $"{prefix}DeliverRepliesVia=Pylon";
        }

        // The link's customer across the systems (Sync:People): their helpdesk and Cord messages are Pylon replies as the
        // issue's contact, as the same person; without this they would be labelled notes (issue 9.3).
        var person = $"Sync:People:{position}:";
        yield return $"{person}Name={ContactName}";
        yield return $"{person}Email={ContactEmail}";
        yield return $"{person}PylonContactId={ContactId}";
        yield return $"{person}HelpdeskAuthorId={HelpdeskCustomer}";
        yield return $"{person}CordUserId={CordCustomer}";
    }

    /// <summary>The helpdesk <c>authorId</c> of the customer's messages.</summary>
    public string HelpdeskCustomer => $"customer_{Index:D2}";
}
