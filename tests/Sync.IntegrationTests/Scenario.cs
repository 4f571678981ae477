using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Simulators;

namespace MessageSync.IntegrationTests;

/// <summary>The main scenario and the counting helpers, shared by the in-memory and the RabbitMQ runs.</summary>
public static class Scenario
{
    /// <summary>
    /// Messages of every kind written in each system end up exactly once in each other system with the right kind; no
    /// internal note is customer-visible anywhere; no mirror e-mails the customer or reaches them through Pylon; and
    /// nothing a mirror echoes is synced again.
    /// </summary>
    public static async Task RunEveryKindAsync(SyncHarness harness)
    {
        var sims = harness.Simulators;
        sims.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Customer, "<p>alpha from the customer in Pylon</p>");
        sims.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.Agent, "<p>bravo agent reply in Pylon</p>", "Dana Agent", "dana@example.com");
        sims.Pylon.AddMessage(SyncHarness.Issue, SimMessageKind.InternalNote, "<p>charlie internal note in Pylon</p>", "Dana Agent", "dana@example.com");
        sims.Helpdesk.AddMessage(SyncHarness.Ticket, SimMessageKind.Customer, "<p>delta request in the helpdesk</p>", "customer_1");
        sims.Helpdesk.AddMessage(SyncHarness.Ticket, SimMessageKind.Agent, "<p>echo response in the helpdesk</p>", "agent_1");
        sims.Helpdesk.AddMessage(SyncHarness.Ticket, SimMessageKind.InternalNote, "<p>foxtrot note in the helpdesk</p>", "agent_1");
        sims.Cord.AddMessage(SyncHarness.Thread, "agent_cord", "golf comment in Cord");
        string[] words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"];

        await harness.WaitUntilAsync(
            () => words.All(w => PylonCount(harness, w) == 1 && HelpdeskCount(harness, w) == 1 && CordCount(harness, w) == 1),
            "every message is in every system");
        AssertKindsAndVisibility(harness);

        // Several more polls of every system: the mirrors read back must not travel again.
        await harness.SettleAsync();
        Assert.All(words, w => Assert.Equal(1, PylonCount(harness, w)));
        Assert.All(words, w => Assert.Equal(1, HelpdeskCount(harness, w)));
        Assert.All(words, w => Assert.Equal(1, CordCount(harness, w)));
        Assert.Equal(7, sims.Pylon.GetMessages(SyncHarness.Issue).Count(m => !m.Deleted));
        Assert.Equal(7, sims.Helpdesk.GetMessages(SyncHarness.Ticket).Count);
        Assert.Equal(7, sims.Cord.GetMessages(SyncHarness.Thread).Count(m => m.DeletedTimestamp is null));

        // The budgets were used, never exceeded.
        foreach (var key in sims.Pylon.EndpointKeys)
        {
            Assert.Equal(0, sims.Pylon.GetStats(key).RateLimited);
        }

        Assert.DoesNotContain(await harness.Store.ListOutcomesAsync(includeResolved: true), o => o.Kind is OutcomeKind.Faulted or OutcomeKind.Parked);
    }

    private static void AssertKindsAndVisibility(SyncHarness harness)
    {
        var pylon = harness.Simulators.Pylon.GetMessages(SyncHarness.Issue);
        PylonMessageState P(string word) => pylon.Single(m => m.MessageHtml.Contains(word, StringComparison.Ordinal));

        // Pylon: the customer's helpdesk request is a reply as the contact; every internal note and the helpdesk agent reply are private notes.
        Assert.False(P("delta").IsPrivate);
        Assert.Equal("contact_ana", P("delta").ContactId);
        Assert.True(P("echo").IsPrivate, "an agent reply mirrored into Pylon is a note unless the link opts in");
        Assert.Contains("Sent to the customer via", P("echo").MessageHtml, StringComparison.Ordinal);
        Assert.True(P("foxtrot").IsPrivate);
        Assert.True(P("golf").IsPrivate);
        Assert.Equal(["bravo"], pylon.Where(m => m.ReachedCustomer).Select(m => Word(m.MessageHtml)));

        // Helpdesk: the same kinds; only the agent's own response e-mailed the customer.
        var helpdesk = harness.Simulators.Helpdesk.GetMessages(SyncHarness.Ticket);
        string H(string word) => helpdesk.Single(m => m.Content.Contains(word, StringComparison.Ordinal)).Type;
        Assert.Equal("request", H("alpha"));
        Assert.Equal("response", H("bravo"));
        Assert.Equal("note", H("charlie"));
        Assert.Equal("note", H("golf"));
        Assert.Equal(["echo"], helpdesk.Where(m => m.EmailSent).Select(m => Word(m.Content)));
        Assert.DoesNotContain(helpdesk, m => m.Type != "note" && (m.Content.Contains("charlie", StringComparison.Ordinal) || m.Content.Contains("foxtrot", StringComparison.Ordinal)));

        // Cord (a thread the link does not mark customer-visible): everything arrives as user messages.
        Assert.All(harness.Simulators.Cord.GetMessages(SyncHarness.Thread), m => Assert.Equal("user_message", m.Type));
    }

    private static string Word(string html) =>
        new[] { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf" }.First(w => html.Contains(w, StringComparison.Ordinal));

    /// <summary>The body of a 503 from the worker's /readyz, or "" when it is ready.</summary>
    public static string NotReady(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = http.GetAsync("/readyz").GetAwaiter().GetResult();
        return response.StatusCode == System.Net.HttpStatusCode.OK ? "" : response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    public static int PylonCount(SyncHarness harness, string text) =>
        harness.Simulators.Pylon.GetMessages(SyncHarness.Issue).Count(m => !m.Deleted && m.MessageHtml.Contains(text, StringComparison.Ordinal));

    public static int HelpdeskCount(SyncHarness harness, string text) =>
        harness.Simulators.Helpdesk.GetMessages(SyncHarness.Ticket).Count(m => m.Content.Contains(text, StringComparison.Ordinal));

    public static int CordCount(SyncHarness harness, string text) =>
        harness.Simulators.Cord.GetMessages(SyncHarness.Thread).Count(m => !m.HardDeleted && m.DeletedTimestamp is null && m.Plaintext.Contains(text, StringComparison.Ordinal));

    public static int OpenOutcomes(SyncHarness harness, OutcomeKind kind, SystemId target) =>
        harness.Store.ListOutcomesAsync(includeResolved: false).GetAwaiter().GetResult().Count(o => o.Kind == kind && o.Target == target);
}
