using MessageSync.Core.Model;
using MessageSync.IntegrationTests.Chaos;
using MessageSync.Simulators;

namespace MessageSync.IntegrationTests;

/// <summary>
/// The chaos verifier against hand-made states (no worker): each broken promise it exists to catch is caught, and a
/// correct state passes. Copies are written through the simulators' back door as the worker would have written them.
/// </summary>
public sealed class VerifierTests : IAsyncLifetime, IDisposable
{
    private SimulatorHost _sims = null!;
    private Ledger _ledger = null!;
    private Workload _workload = null!;
    private readonly ChaosLink _plain = new(0, CordCustomerVisible: false, DeliverRepliesViaPylon: false);
    private readonly ChaosLink _visible = new(1, CordCustomerVisible: true, DeliverRepliesViaPylon: false);

    public async Task InitializeAsync()
    {
        _sims = await SimulatorHost.StartAsync(new SimulatorOptions { RateLimits = RateLimitMode.Off });
        _plain.CreateIn(_sims);
        _visible.CreateIn(_sims);
        _ledger = new Ledger([_plain, _visible]);
        _workload = new Workload(_sims, _ledger, new WorkloadOptions { AttachmentShare = 0 }, seed: 1);
    }

    [Fact]
    public async Task A_message_copied_once_into_each_other_system_is_clean()
    {
        var m = _workload.Write(_plain, SystemId.Pylon, SimMessageKind.Customer);
        MirrorEverywhere(m);

        var report = await VerifyAsync();

        Assert.True(report.Clean, report.ToText());
    }

    [Fact]
    public async Task A_second_copy_is_a_duplicate_and_a_copy_never_made_is_missing()
    {
        var m = _workload.Write(_plain, SystemId.Helpdesk, SimMessageKind.Customer);
        _sims.Pylon.AddMessage(_plain.Issue, SimMessageKind.InternalNote, $"<p>{m.LatestToken}</p>");
        _sims.Pylon.AddMessage(_plain.Issue, SimMessageKind.InternalNote, $"<p>{m.LatestToken}</p>");

        var report = await VerifyAsync();

        Assert.Equal(1, report.Count(FindingKind.Duplicate));
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.Missing && f.Detail.Contains("no live copy in Cord", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_internal_note_where_the_customer_sees_it_or_in_another_links_conversation_is_a_leak()
    {
        var note = _workload.Write(_plain, SystemId.Helpdesk, SimMessageKind.InternalNote);
        _sims.Pylon.AddMessage(_plain.Issue, SimMessageKind.Agent, $"<p>{note.LatestToken}</p>");
        _sims.Cord.AddMessage(_plain.Thread, "bot", note.LatestToken);
        _sims.Helpdesk.AddMessage(_visible.Ticket, SimMessageKind.InternalNote, $"<p>{note.LatestToken}</p>");
        var visibleNote = _workload.Write(_visible, SystemId.Pylon, SimMessageKind.InternalNote);
        _sims.Helpdesk.AddMessage(_visible.Ticket, SimMessageKind.InternalNote, $"<p>{visibleNote.LatestToken}</p>");
        _sims.Cord.AddMessage(_visible.Thread, "bot", visibleNote.LatestToken);

        var report = await VerifyAsync();

        Assert.Equal(3, report.Count(FindingKind.Leak));
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.Leak && f.Detail.Contains("of link chaos-01", StringComparison.Ordinal));
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.Leak && f.Detail.Contains("customer-visible thread", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_e_mailed_reply_shown_again_in_a_customer_visible_thread_is_a_double_delivery()
    {
        var reply = _workload.Write(_visible, SystemId.Helpdesk, SimMessageKind.Agent);
        _sims.Pylon.AddMessage(_visible.Issue, SimMessageKind.InternalNote, $"<p>{reply.LatestToken}</p>");
        _sims.Cord.AddMessage(_visible.Thread, "bot", reply.LatestToken);

        var report = await VerifyAsync();

        Assert.Equal(1, report.Count(FindingKind.DoubleDelivery));
        Assert.Equal(0, report.Count(FindingKind.Missing));
    }

    [Fact]
    public async Task A_reply_withheld_from_a_customer_visible_thread_is_clean()
    {
        // ARCHITECTURE.md, the delivery rule: a customer-visible Cord thread takes no agent reply written elsewhere.
        var reply = _workload.Write(_visible, SystemId.Pylon, SimMessageKind.Agent);
        _sims.Helpdesk.AddMessage(_visible.Ticket, SimMessageKind.InternalNote, $"<p>{reply.LatestToken}</p>", "agent_sync", sendEmail: false);

        var report = await VerifyAsync();

        Assert.True(report.Clean, report.ToText());
    }

    [Fact]
    public async Task A_redacted_text_left_in_an_edit_note_is_a_leftover_and_an_unreported_helpdesk_copy_is_unreported()
    {
        var m = _workload.Write(_plain, SystemId.Cord, SimMessageKind.InternalNote);
        MirrorEverywhere(m);
        var cord = _sims.Cord.GetMessages(_plain.Thread).Single(c => c.Id == m.OriginExternalId);
        var edit = Ledger.NextEditToken(m);
        Ledger.RecordEdit(m, new EditRecord(edit, SystemId.Cord, cord.Id, DateTimeOffset.UtcNow));
        _sims.Pylon.AddMessage(_plain.Issue, SimMessageKind.InternalNote, $"<p><em>Edited in Cord</em></p><p>{edit}</p>");
        _sims.Helpdesk.AddMessage(_plain.Ticket, SimMessageKind.InternalNote, $"<p><em>Edited in Cord</em></p><p>{edit}</p>");
        var copy = (await SimState.ReadAsync(_sims.PylonUrl, _sims.HelpdeskUrl, _sims.CordUrl)).CopiesOf(m.Id).Single(c => c.System == SystemId.Cord);
        Assert.True(await _workload.RemoveAsync(m, copy, Removal.Redacted, hardDelete: false, CancellationToken.None));

        var report = await VerifyAsync();

        // The Pylon copy and the Pylon edit note can be redacted; the two helpdesk copies cannot, and nothing reports them.
        Assert.Equal(2, report.Count(FindingKind.RedactionLeftover));
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.RedactionLeftover && f.Detail.Contains("(an edit note)", StringComparison.Ordinal));
        Assert.Equal(2, report.Count(FindingKind.Unreported));
        Assert.Equal(0, report.Count(FindingKind.Missing));
    }

    [Fact]
    public async Task An_edit_noted_twice_is_a_duplicate_and_an_edit_never_noted_is_missing()
    {
        var m = _workload.Write(_plain, SystemId.Cord, SimMessageKind.InternalNote);
        MirrorEverywhere(m);
        var edit = Ledger.NextEditToken(m);
        Ledger.RecordEdit(m, new EditRecord(edit, SystemId.Cord, m.OriginExternalId, DateTimeOffset.UtcNow));
        _sims.Pylon.AddMessage(_plain.Issue, SimMessageKind.InternalNote, $"<p><em>Edited in Cord</em></p><p>{edit}</p>");
        _sims.Pylon.AddMessage(_plain.Issue, SimMessageKind.InternalNote, $"<p><em>Edited in Cord</em></p><p>{edit}</p>");

        var report = await VerifyAsync();

        Assert.Contains(report.Findings, f => f.Kind == FindingKind.Duplicate && f.Detail.Contains("noted 2 times in Pylon", StringComparison.Ordinal));
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.Missing && f.Detail.Contains("note in Helpdesk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deleted_message_still_live_in_Cord_is_a_deletion_leftover()
    {
        var m = _workload.Write(_plain, SystemId.Pylon, SimMessageKind.Customer);
        MirrorEverywhere(m);
        var original = (await SimState.ReadAsync(_sims.PylonUrl, _sims.HelpdeskUrl, _sims.CordUrl)).CopiesOf(m.Id).Single(c => c.System == SystemId.Pylon);
        Assert.True(await _workload.RemoveAsync(m, original, Removal.Deleted, hardDelete: false, CancellationToken.None));

        var report = await VerifyAsync();

        Assert.Contains(report.Findings, f => f.Kind == FindingKind.DeletionLeftover && f.Detail.StartsWith("Cord", StringComparison.Ordinal));
        Assert.Equal(1, report.Count(FindingKind.DeletionLeftover));
        Assert.Equal(1, report.Count(FindingKind.Unreported));
    }

    /// <summary>Copies in the two other systems as the worker writes them (a private Pylon note, a helpdesk note, a Cord message).</summary>
    private void MirrorEverywhere(LedgerMessage m)
    {
        var html = $"<p>{m.LatestToken}</p>";
        if (m.Origin != SystemId.Pylon)
        {
            _sims.Pylon.AddMessage(m.Link.Issue, m.Kind == MessageKind.CustomerMessage ? SimMessageKind.Customer : SimMessageKind.InternalNote, html);
        }

        if (m.Origin != SystemId.Helpdesk)
        {
            _sims.Helpdesk.AddMessage(m.Link.Ticket, SimMessageKind.InternalNote, html, "agent_sync", sendEmail: false);
        }

        if (m.Origin != SystemId.Cord)
        {
            _sims.Cord.AddMessage(m.Link.Thread, "bot", m.LatestToken);
        }
    }

    private async Task<VerificationReport> VerifyAsync() =>
        Verifier.Verify(_ledger, await SimState.ReadAsync(_sims.PylonUrl, _sims.HelpdeskUrl, _sims.CordUrl), WorkerStateView.Empty);

    public async Task DisposeAsync() => await _sims.DisposeAsync();

    public void Dispose() => _workload.Dispose();
}
