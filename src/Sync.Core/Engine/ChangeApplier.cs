using MessageSync.Core.Content;
using MessageSync.Core.Contracts;
using MessageSync.Core.Detection;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using Microsoft.Extensions.Logging;

namespace MessageSync.Core.Engine;

/// <summary>
/// Applies one change to one target with exactly-once effect (DESIGN.md, "Idempotent apply"): the router decides, an intent
/// is recorded before the remote write and the mapping after it; when an intent is found on entry, a previous attempt may
/// have written already, so the target is searched for the copy by an exact key (deterministic id, or our own marker) before
/// anything is routed; where the target cannot tell, the change becomes a possibly_written outcome. Whatever cannot be done
/// becomes a recorded outcome, never a silent drop.
/// </summary>
public sealed partial class ChangeApplier(
    IStateStore store, IEnumerable<IMessageSystem> systems, ILinkProvider links, ITargetPolicies policies, SystemPause pause,
    MarkerKnowledge markers, SyncMetrics metrics, ILogger<ChangeApplier> logger)
{
    private readonly Dictionary<SystemId, IMessageSystem> _systems = systems.ToDictionary(s => s.System);

    /// <param name="lastAttempt">True on the transport's last retry: a transient failure is then recorded as faulted.</param>
    public async Task ApplyAsync(MessageChanged change, SystemId target, bool lastAttempt, CancellationToken cancellationToken)
    {
        var started = metrics.StartTimer();
        if (change.Target is { } only && only != target)
        {
            return; // a replay addressed to another target
        }

        if (await store.IsChangeAppliedAsync(change, target, cancellationToken))
        {
            return; // delivered twice (relay re-published after a crash, broker redelivery): already done
        }

        var link = await links.FindAsync(change.LinkId, cancellationToken);
        if (link is null)
        {
            await RecordAsync(change, target, new RouteDecision.Outcome(OutcomeKind.Skipped, $"link {change.LinkId} is no longer configured"), cancellationToken);
            return;
        }

        if (link.ConversationId(target) is null || (target == change.Source && change.Change is ChangeKind.Created or ChangeKind.Edited))
        {
            await store.MarkChangeAppliedAsync(change.ChangeId, target, "not a target", cancellationToken);
            return;
        }

        if (!_systems.TryGetValue(target, out var adapter))
        {
            await RecordAsync(change, target, new RouteDecision.Outcome(OutcomeKind.Skipped, $"{target} is part of link {link.Id} but not configured (Sync:{target})"), cancellationToken);
            return;
        }

        var message = await store.GetMessageAsync(change.CanonicalId, cancellationToken)
            ?? throw new ChangeFaultedException($"canonical message {change.CanonicalId} is not in the state store");

        await pause.WaitWhilePausedAsync(target, cancellationToken);
        var mapping = await store.GetMappingAsync(message.Id, target, cancellationToken);
        try
        {
            if (mapping is null && await RecoverCreateAsync(adapter, link, message, change, cancellationToken) is { } recovered)
            {
                if (recovered.UnknownReason is { } unknown)
                {
                    await RecordAsync(change, target, PossiblyWritten(change, target, link, WaitForEvidence(recovered, target, lastAttempt)), cancellationToken);
                    return;
                }

                mapping = recovered.ExternalId is null ? null : await store.GetMappingAsync(message.Id, target, cancellationToken);
            }

            var decision = Router.Decide(change.Change, message, change.Source, target, link, adapter.Capabilities, policies.PolicyFor(target), mapping is not null);
            await ExecuteAsync(adapter, link, message, change, decision, mapping, started, lastAttempt, cancellationToken);
            await pause.ResumeAsync(target, cancellationToken);
        }
        catch (ConversationClosedException ex)
        {
            await RecordAsync(change, target, new RouteDecision.Outcome(OutcomeKind.Parked, $"{ex.Code}: {ex.Message}"), cancellationToken);
        }
        catch (AuthenticationException ex)
        {
            var delay = pause.Pause(target, ex.Message);
            metrics.Failed(target, "auth");
            LogPaused(logger, target, delay.TotalSeconds, ex.Message);
            if (!lastAttempt)
            {
                throw; // retried by the transport once the pause has run out; the change stays queued
            }

            // Past the retries the transport would fault it to an error queue nobody sees: park it instead (status, errors
            // list, metrics), to be sent again by itself once the system accepts our credentials (SystemPause.ResumeAsync).
            await RecordAsync(change, target, new RouteDecision.Outcome(OutcomeKind.Parked, $"{SystemPause.CredentialsRefused} by {KindMapping.DisplayName(target)}: {ex.Message}"), cancellationToken);
        }
        catch (SyncException ex) when (!ex.IsTransient)
        {
            metrics.Failed(target, "permanent");
            await RecordAsync(change, target, new RouteDecision.Outcome(OutcomeKind.Faulted, ex.Message), cancellationToken);
            throw new ChangeFaultedException(ex.Message, ex);
        }
        catch (SyncException ex)
        {
            metrics.Failed(target, "transient");
            if (lastAttempt)
            {
                await RecordAsync(change, target, new RouteDecision.Outcome(OutcomeKind.Faulted, $"gave up after retries: {ex.Message}"), cancellationToken);
            }

            throw;
        }
        catch (Exception ex) when (lastAttempt && ex is not OperationCanceledException)
        {
            // Anything else (a bug, a store that stayed busy) on the last attempt is recorded too: never an unrecorded change.
            metrics.Failed(target, "unexpected");
            await RecordAsync(change, target, new RouteDecision.Outcome(OutcomeKind.Faulted, $"gave up after retries: {ex.GetType().Name}: {ex.Message}"), cancellationToken);
            throw;
        }
    }

    private async Task ExecuteAsync(
        IMessageSystem adapter, ConversationLink link, CanonicalMessage message, MessageChanged change, RouteDecision decision, MappingEntry? mapping,
        long started, bool lastAttempt, CancellationToken cancellationToken)
    {
        var target = adapter.System;
        switch (decision)
        {
            case RouteDecision.Skip skip:
                LogSkipped(logger, change.Change, message.Id, target, skip.Reason);
                await store.MarkChangeAppliedAsync(change.ChangeId, target, "skipped: " + skip.Reason, cancellationToken);
                return;

            case RouteDecision.Outcome outcome:
                if (await CountCopiesAsync(outcome, message.Id, target, change, mapping, cancellationToken) is { } counted)
                {
                    await RecordAsync(change, target, counted, cancellationToken);
                }
                else
                {
                    await store.MarkChangeAppliedAsync(change.ChangeId, target, "no copy left to change", cancellationToken);
                }

                return;

            case RouteDecision.Create create:
                await CreateAsync(adapter, link, message, create, cancellationToken);
                break;

            case RouteDecision.AppendNote note:
                if (await AppendNoteAsync(adapter, link, message, change, note, cancellationToken) is { } unknown)
                {
                    await RecordAsync(change, target, PossiblyWritten(change, target, link, WaitForEvidence(unknown, target, lastAttempt)), cancellationToken);
                    return;
                }

                break;

            case RouteDecision.Edit edit:
                await WriteAsync(message.Id, target, mapping!.ExternalId, WriteAction.Edit, change.ChangeId.ToString(),
                    async () => await adapter.EditAsync(edit.ToWriteRequest(link, message)!, mapping!.ExternalId, cancellationToken), cancellationToken);
                break;

            case RouteDecision.Redact:
                // Every copy the target holds: the mirror (or original) and each edit note, each recorded as it is done.
                foreach (var copy in await CopiesAsync(message.Id, target, mapping!, includeRedacted: false, cancellationToken))
                {
                    await WriteAsync(message.Id, target, copy, WriteAction.Redact, change.ChangeId.ToString(),
                        async () =>
                        {
                            await adapter.RedactAsync(link, copy, cancellationToken);
                            return null;
                        },
                        cancellationToken);
                }

                break;

            case RouteDecision.Delete delete:
                foreach (var copy in await CopiesAsync(message.Id, target, mapping!, includeRedacted: true, cancellationToken))
                {
                    await WriteAsync(message.Id, target, copy, WriteAction.Delete, change.ChangeId.ToString(),
                        async () =>
                        {
                            await adapter.DeleteAsync(link, copy, delete.Mode, cancellationToken);
                            return null;
                        },
                        cancellationToken);
                }

                break;
        }

        await store.CompleteChangeAsync(change.ChangeId, message.Id, target, decision.GetType().Name, cancellationToken);
        metrics.Applied(target, decision.GetType().Name, change.ChangeId, started);
        LogApplied(logger, change.Change, message.Id, link.Id, target, decision.GetType().Name);
    }

    /// <summary>
    /// A create intent left by an earlier attempt (a crash or a lost answer between the remote write and its record) is
    /// settled before anything is routed (issue 9.6, and the orphaned copy: a redaction or deletion arriving first must reach
    /// a copy the killed attempt wrote). The target is searched by an exact key for the intent's marker: found, the mapping
    /// is recorded as if the answer had come; certainly absent, the intent goes; unknown (the target may have dropped the
    /// marker), the caller records a possibly_written outcome for an operator, never a guess.
    /// </summary>
    /// <returns>Null when there is no intent to settle (or an edit, which a create's own recovery reports).</returns>
    private async Task<MirrorSearch?> RecoverCreateAsync(
        IMessageSystem adapter, ConversationLink link, CanonicalMessage message, MessageChanged change, CancellationToken cancellationToken)
    {
        var target = adapter.System;
        if (await store.GetIntentAsync(message.Id, target, WriteAction.Create, cancellationToken) is not { } intent)
        {
            return null;
        }

        // The marker as recorded before the write: what the earlier attempt put into the target.
        var marker = Guid.TryParse(intent.Marker, out var recorded) ? recorded : message.Id;
        var search = await adapter.FindMirrorAsync(link, marker, await store.GetOwnWritesAsync(link.Id, target, cancellationToken), cancellationToken);
        var (targetKind, label) = KindMapping.ForTarget(message.Kind, message.Origin.System, target, link, adapter.Capabilities);
        var note = targetKind is MessageKind.InternalNote or MessageKind.SystemEvent;
        search = await markers.SettleAsync(adapter, link, search,
            new WriteInDoubt(message.Id, intent.CreatedAt, IsNote: false, AsNote: note || targetKind == MessageKind.CustomerMessage, AsReply: !note), cancellationToken);
        if (search.ExternalId is { } existing)
        {
            LogRecovered(logger, message.Id, target, existing);
            await store.RecordMappingAsync(message.Id, target, existing, targetKind, RecoveredBaseline(adapter, link, message, targetKind, label, existing), cancellationToken);
        }
        else if (search.IsAbsent)
        {
            await store.DropIntentAsync(message.Id, target, WriteAction.Create, cancellationToken);
        }
        else if (change.Change == ChangeKind.Edited)
        {
            return null; // no copy known: the edit is skipped, and the create's own delivery reports the unknown write
        }

        return search;
    }

    /// <summary>
    /// The baseline of a copy found by recovery: the copy as its create wrote it, not as found, for a person may have edited
    /// it while we were down (issue 9.11 on the recovery path). Null (adopt the first read) where the target cannot say, or
    /// where the message was redacted or deleted since: its text must never come back as an edit; the change on its way
    /// removes the copy.
    /// </summary>
    private static string? RecoveredBaseline(
        IMessageSystem adapter, ConversationLink link, CanonicalMessage message, MessageKind targetKind, string? label, string externalId)
    {
        if (message.RedactedAt is not null || message.DeletedAt is not null)
        {
            return null;
        }

        var asCreated = adapter.AsCreated(new WriteRequest { Link = link, Message = message, TargetKind = targetKind, Label = label }, externalId);
        return asCreated is null ? null : MessageHash.BaselineOf(asCreated);
    }

    private async Task CreateAsync(IMessageSystem adapter, ConversationLink link, CanonicalMessage message, RouteDecision.Create create, CancellationToken cancellationToken)
    {
        var target = adapter.System;
        await store.RecordIntentAsync(message.Id, target, WriteAction.Create, message.Id.ToString(), cancellationToken);
        WrittenMessage written;
        try
        {
            written = await adapter.CreateAsync(create.ToWriteRequest(link, message)!, cancellationToken);
        }
        catch (SyncException ex) when (ex is not TransientApiException)
        {
            // An answer that refused the write (a 4xx, a local refusal), or a failure before the write was sent
            // (WriteNotSentException): nothing was written, so there is nothing to look for on the next attempt. Only a
            // failure without an answer to the write itself (5xx, timeout, reset, malformed answer) leaves the doubt.
            await store.DropIntentAsync(message.Id, target, WriteAction.Create, cancellationToken);
            throw;
        }

        await store.RecordMappingAsync(message.Id, target, written.ExternalId, create.TargetKind, MessageHash.BaselineOf(written.AsWritten), cancellationToken);
    }

    /// <summary>
    /// An edit note is a copy of its own (issue 9.1), keyed by the change it is written for: it carries that change's id as
    /// its marker, gets a note row and a snapshot row once written, and after a lost answer is looked for by its marker
    /// before it is written again, as a create is. A later redaction or deletion of the message reaches it.
    /// </summary>
    /// <returns>The search that could not tell whether an earlier attempt wrote the note; null when it is written now.</returns>
    private async Task<MirrorSearch?> AppendNoteAsync(
        IMessageSystem adapter, ConversationLink link, CanonicalMessage message, MessageChanged change, RouteDecision.AppendNote note, CancellationToken cancellationToken)
    {
        var target = adapter.System;
        var copy = await store.GetNoteCopyAsync(change.ChangeId, target, cancellationToken);
        if (copy?.ExternalId is not null)
        {
            return null; // written and recorded; only the applied mark was missing
        }

        if (copy is not null)
        {
            // A previous attempt got as far as the remote call: the note may be there. Look before writing again.
            var search = await adapter.FindMirrorAsync(link, change.ChangeId, await store.GetOwnWritesAsync(link.Id, target, cancellationToken), cancellationToken);
            search = await markers.SettleAsync(adapter, link, search, new WriteInDoubt(message.Id, copy.CreatedAt, IsNote: true, AsNote: true, AsReply: false), cancellationToken);
            if (search.ExternalId is { } existing)
            {
                LogRecovered(logger, message.Id, target, existing);
                await store.RecordNoteCopyAsync(change.ChangeId, target, message.Id, existing, baseline: null, cancellationToken);
                return null;
            }

            if (search.UnknownReason is not null)
            {
                return search;
            }
        }
        else
        {
            await store.RecordNoteIntentAsync(change.ChangeId, target, message.Id, cancellationToken);
        }

        WrittenMessage written;
        try
        {
            written = await adapter.CreateAsync(note.ToWriteRequest(link, message)! with { Marker = change.ChangeId }, cancellationToken);
        }
        catch (SyncException ex) when (ex is not TransientApiException)
        {
            // Refused by an answer, or failed before it was sent: no note to look for on the next attempt.
            await store.DropNoteIntentAsync(change.ChangeId, target, cancellationToken);
            throw;
        }

        await store.RecordNoteCopyAsync(change.ChangeId, target, message.Id, written.ExternalId, MessageHash.BaselineOf(written.AsWritten), cancellationToken);
        return null;
    }

    /// <summary>
    /// A search that could not tell only because nothing has shown yet whether the target keeps markers (the first copies of
    /// ours into that system, cut by a crash) waits: the transport retries, and meanwhile other writes and reads show it
    /// (<see cref="MarkerKnowledge"/>). On the last attempt it is reported like any unknown write.
    /// </summary>
    private static string WaitForEvidence(MirrorSearch search, SystemId target, bool lastAttempt) =>
        search.LacksEvidence && !lastAttempt
            ? throw new TransientApiException(target, $"cannot tell yet whether an earlier attempt wrote the copy: {search.UnknownReason}; waiting for a copy of ours to show it")
            : search.UnknownReason!;

    /// <summary>
    /// A write of unknown result: the copy (or edit note) may be in the target, and the target cannot say. An operator looks;
    /// replaying writes it, acknowledging keeps what is there. For a redaction or deletion, the copy that may exist was not
    /// reached: it must be removed by hand.
    /// </summary>
    private static RouteDecision.Outcome PossiblyWritten(MessageChanged change, SystemId target, ConversationLink link, string unknown)
    {
        var where = $"{KindMapping.DisplayName(target)} conversation {link.ConversationId(target)}";
        var what = change.Change switch
        {
            ChangeKind.Created => $"a copy may have been written before a crash or a lost answer ({unknown}): look for it in {where}; replay writes it, acknowledge if it is there",
            ChangeKind.Edited => $"an edit note may have been written before a crash or a lost answer ({unknown}): look for it in {where}; replay writes it, acknowledge if it is there",
            _ => $"a copy may have been written before a crash or a lost answer and was not {(change.Change == ChangeKind.Redacted ? "redacted" : "deleted")} ({unknown}): look for it in {where} and remove it by hand",
        };
        return new RouteDecision.Outcome(OutcomeKind.PossiblyWritten, what);
    }

    /// <summary>The copies of a message in the target still to redact (or delete): the mapped copy first, then its edit notes.</summary>
    private async Task<List<string>> CopiesAsync(Guid canonicalId, SystemId target, MappingEntry mapping, bool includeRedacted, CancellationToken cancellationToken)
    {
        var known = await store.GetCopiesAsync(canonicalId, target, cancellationToken);
        var copies = new List<string>();
        if (known.All(c => c.ExternalId != mapping.ExternalId))
        {
            copies.Add(mapping.ExternalId);
        }

        copies.AddRange(known.Where(c => !c.Deleted && (includeRedacted || !c.Redacted)).Select(c => c.ExternalId));
        return copies;
    }

    /// <summary>
    /// A redaction or deletion the target cannot carry out, with every copy it leaves showing (the mirror and each edit note);
    /// null when no such copy is left (the one a person changed was the last).
    /// </summary>
    private async Task<RouteDecision.Outcome?> CountCopiesAsync(
        RouteDecision.Outcome outcome, Guid canonicalId, SystemId target, MessageChanged change, MappingEntry? mapping, CancellationToken cancellationToken)
    {
        if (mapping is null || change.Change is not (ChangeKind.Redacted or ChangeKind.Deleted))
        {
            return outcome;
        }

        var left = await CopiesAsync(canonicalId, target, mapping, includeRedacted: change.Change == ChangeKind.Deleted, cancellationToken);
        return left.Count == 0
            ? null
            : outcome with { Reason = $"{outcome.Reason} ({left.Count} {(left.Count == 1 ? "copy" : "copies")}: {string.Join(", ", left)})" };
    }

    /// <param name="write">The remote write; returns the copy as it will read back where the write replaced its content.</param>
    private async Task WriteAsync(
        Guid canonicalId, SystemId target, string externalId, WriteAction action, string marker, Func<Task<ObservedMessage?>> write, CancellationToken cancellationToken)
    {
        await store.RecordIntentAsync(canonicalId, target, action, marker, cancellationToken);
        var asWritten = await write();
        await store.RecordMirrorChangedAsync(canonicalId, target, externalId, action, asWritten is null ? null : MessageHash.BaselineOf(asWritten), cancellationToken);
    }

    private async Task RecordAsync(MessageChanged change, SystemId target, RouteDecision.Outcome outcome, CancellationToken cancellationToken)
    {
        await store.RecordOutcomeAsync(new NewOutcome(change.LinkId, change.CanonicalId, target, outcome.Kind, outcome.Reason, change.Change), cancellationToken);
        await store.MarkChangeAppliedAsync(change.ChangeId, target, outcome.Kind.ToString(), cancellationToken);
        metrics.Outcome(target, outcome.Kind);
        LogOutcome(logger, outcome.Kind, change.Change, change.CanonicalId, change.LinkId, target, outcome.Reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Change} of {CanonicalId} (link {LinkId}) to {Target}: {Action}")]
    private static partial void LogApplied(ILogger logger, ChangeKind change, Guid canonicalId, string linkId, SystemId target, string action);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped {Change} of {CanonicalId} for {Target}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, ChangeKind change, Guid canonicalId, SystemId target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{OutcomeKind}: {Change} of {CanonicalId} (link {LinkId}) was not applied to {Target}: {Reason}")]
    private static partial void LogOutcome(ILogger logger, OutcomeKind outcomeKind, ChangeKind change, Guid canonicalId, string linkId, SystemId target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered: {CanonicalId} was already written to {Target} as {ExternalId} before a restart; not writing it again")]
    private static partial void LogRecovered(ILogger logger, Guid canonicalId, SystemId target, string externalId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Target} refused our credentials; writes to it are paused for {PauseSeconds:0} s and its changes stay queued: {Reason}")]
    private static partial void LogPaused(ILogger logger, SystemId target, double pauseSeconds, string reason);
}
