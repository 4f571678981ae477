using MessageSync.Core.Content;
using MessageSync.Core.Contracts;
using MessageSync.Core.Detection;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using Microsoft.Extensions.Logging;

namespace MessageSync.Core.Engine;

/// <summary>The per-target policies in force (from configuration, current on every call).</summary>
public interface ITargetPolicies
{
    TargetPolicy For(SystemId target);
}

/// <summary>A change that cannot be applied and must not be retried; it has been recorded as a faulted outcome.</summary>
public sealed class ChangeFaultedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Applies one change to one target with exactly-once effect (DESIGN.md, "Idempotent apply"): the router decides, an intent
/// is recorded before the remote write and the mapping after it; when an intent is found on entry, a previous attempt may
/// have written already, so the target is searched for the mirror (deterministic id, marker, content hash) before writing
/// again. Whatever cannot be done becomes a recorded outcome, never a silent drop.
/// </summary>
public sealed partial class ChangeApplier(
    IStateStore store, IEnumerable<IMessageSystem> systems, ILinkProvider links, ITargetPolicies policies, SystemPause pause,
    SyncMetrics metrics, ILogger<ChangeApplier> logger)
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

        if (await store.IsChangeAppliedAsync(change.ChangeId, target, cancellationToken))
        {
            return; // delivered twice (relay re-published after a crash, broker redelivery): already done
        }

        var link = await links.FindAsync(change.LinkId, cancellationToken);
        if (link is null)
        {
            await RecordAsync(change, target, new RouteDecision.Outcome(OutcomeKind.Skipped, $"link {change.LinkId} is no longer configured"), cancellationToken);
            return;
        }

        if (link.ConversationId(target) is null || target == change.Source)
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
        var decision = Router.Decide(change.Change, message, change.Source, target, link, adapter.Capabilities, policies.For(target), mapping is not null);
        try
        {
            await ExecuteAsync(adapter, link, message, change, decision, mapping, started, cancellationToken);
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
        long started, CancellationToken cancellationToken)
    {
        var target = adapter.System;
        switch (decision)
        {
            case RouteDecision.Skip skip:
                LogSkipped(logger, change.Change, message.Id, target, skip.Reason);
                await store.MarkChangeAppliedAsync(change.ChangeId, target, "skipped: " + skip.Reason, cancellationToken);
                return;

            case RouteDecision.Outcome outcome:
                await RecordAsync(change, target, outcome, cancellationToken);
                return;

            case RouteDecision.Create create:
                await CreateAsync(adapter, link, message, create, cancellationToken);
                break;

            case RouteDecision.AppendNote note:
                await AppendNoteAsync(adapter, link, message, change, note, cancellationToken);
                break;

            case RouteDecision.Edit edit:
                await WriteAsync(message.Id, target, WriteAction.Edit, change.ChangeId.ToString(),
                    async () => await adapter.EditAsync(edit.ToWriteRequest(link, message)!, mapping!.ExternalId, cancellationToken), cancellationToken);
                break;

            case RouteDecision.Redact:
                await WriteAsync(message.Id, target, WriteAction.Redact, change.ChangeId.ToString(),
                    async () =>
                    {
                        await adapter.RedactAsync(link, mapping!.ExternalId, cancellationToken);
                        return null;
                    },
                    cancellationToken);
                break;

            case RouteDecision.Delete delete:
                await WriteAsync(message.Id, target, WriteAction.Delete, change.ChangeId.ToString(),
                    async () =>
                    {
                        await adapter.DeleteAsync(link, mapping!.ExternalId, delete.Mode, cancellationToken);
                        return null;
                    },
                    cancellationToken);
                break;
        }

        await store.ResolveOutcomesAsync(message.Id, target, cancellationToken);
        await store.MarkChangeAppliedAsync(change.ChangeId, target, decision.GetType().Name, cancellationToken);
        metrics.Applied(target, decision.GetType().Name, change.ChangeId, started);
        LogApplied(logger, change.Change, message.Id, link.Id, target, decision.GetType().Name);
    }

    private async Task CreateAsync(IMessageSystem adapter, ConversationLink link, CanonicalMessage message, RouteDecision.Create create, CancellationToken cancellationToken)
    {
        var target = adapter.System;
        var hash = ContentHash.Of(message.BodyHtml, message.Attachments.Select(a => a.Url));
        if (await store.GetIntentAsync(message.Id, target, WriteAction.Create, cancellationToken) is not null)
        {
            // A previous attempt got as far as the remote call: it may have written. Look before writing again.
            var existing = await adapter.FindMirrorAsync(link, message.Id, hash, cancellationToken);
            if (existing is not null)
            {
                LogRecovered(logger, message.Id, target, existing);
                await store.RecordMappingAsync(message.Id, target, existing, create.TargetKind, baseline: null, cancellationToken);
                return;
            }
        }
        else
        {
            await store.RecordIntentAsync(message.Id, target, WriteAction.Create, message.Id.ToString(), cancellationToken);
        }

        var written = await adapter.CreateAsync(create.ToWriteRequest(link, message)!, cancellationToken);
        await store.RecordMappingAsync(message.Id, target, written.ExternalId, create.TargetKind, MessageHash.BaselineOf(written.AsWritten), cancellationToken);
    }

    private async Task AppendNoteAsync(
        IMessageSystem adapter, ConversationLink link, CanonicalMessage message, MessageChanged change, RouteDecision.AppendNote note, CancellationToken cancellationToken)
    {
        // The intent's marker is the change id: a note already written for this very change is not written twice.
        var target = adapter.System;
        var intent = await store.GetIntentAsync(message.Id, target, WriteAction.AppendNote, cancellationToken);
        if (intent is not null && intent.Marker == change.ChangeId.ToString())
        {
            LogAmbiguousNote(logger, message.Id, target);
        }

        await WriteAsync(message.Id, target, WriteAction.AppendNote, change.ChangeId.ToString(),
            async () =>
            {
                await adapter.CreateAsync(note.ToWriteRequest(link, message)!, cancellationToken);
                return null;
            },
            cancellationToken);
    }

    /// <param name="write">The remote write; returns the copy as it will read back where the write replaced its content.</param>
    private async Task WriteAsync(
        Guid canonicalId, SystemId target, WriteAction action, string marker, Func<Task<ObservedMessage?>> write, CancellationToken cancellationToken)
    {
        await store.RecordIntentAsync(canonicalId, target, action, marker, cancellationToken);
        var asWritten = await write();
        await store.RecordMirrorChangedAsync(canonicalId, target, action, asWritten is null ? null : MessageHash.BaselineOf(asWritten), cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "An edit note for {CanonicalId} in {Target} may already have been written before a restart; writing it again")]
    private static partial void LogAmbiguousNote(ILogger logger, Guid canonicalId, SystemId target);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Target} refused our credentials; writes to it are paused for {PauseSeconds:0} s and its changes stay queued: {Reason}")]
    private static partial void LogPaused(ILogger logger, SystemId target, double pauseSeconds, string reason);
}
