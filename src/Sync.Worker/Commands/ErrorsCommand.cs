using System.CommandLine;
using MessageSync.Core.State;
using MessageSync.Worker.Hosting;

namespace MessageSync.Worker.Commands;

/// <summary><c>errors list|replay|ack</c>: parked and faulted changes, sent again or acknowledged by an operator.</summary>
public static class ErrorsCommand
{
    public static Command Create()
    {
        var errors = SyncCommandLine.Verb("errors", "List, replay or acknowledge parked and faulted changes.");

        var list = SyncCommandLine.Verb("list", "List open outcomes (parked, faulted, unpropagated redactions, skipped).");
        list.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Tool, async app =>
        {
            var store = app.Services.GetRequiredService<IStateStore>();
            StatusView.Write(new StoreStatus([]), await store.ListOutcomesAsync(includeResolved: false));
            return 0;
        }));

        var ids = new Argument<long[]>("id") { Description = "Outcome ids (default: every open parked or faulted change).", Arity = ArgumentArity.ZeroOrMore };
        var replay = SyncCommandLine.Verb("replay", "Send parked and faulted changes again (the running worker picks them up from the outbox).");
        replay.Arguments.Add(ids);
        replay.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Tool, async app =>
        {
            var store = app.Services.GetRequiredService<IStateStore>();
            var wanted = parse.GetValue(ids) ?? [];
            var open = (await store.ListOutcomesAsync(includeResolved: false))
                .Where(o => o.CanonicalId is not null && o.Change is not null && (wanted.Length == 0 ? o.Kind is OutcomeKind.Parked or OutcomeKind.Faulted : wanted.Contains(o.Id)))
                .ToList();
            foreach (var outcome in open)
            {
                await store.ReplayOutcomeAsync(outcome.Id);
                Console.WriteLine($"replaying outcome {outcome.Id}: {outcome.Change} of {outcome.CanonicalId} to {outcome.Target}");
            }

            Console.WriteLine(open.Count == 0 ? "nothing to replay" : $"{open.Count} change(s) queued again");
            return 0;
        }));

        var ackIds = new Argument<long[]>("id") { Description = "Outcome ids to acknowledge.", Arity = ArgumentArity.OneOrMore };
        var ack = SyncCommandLine.Verb("ack", "Acknowledge outcomes (e.g. an unpropagated redaction handled by hand); status stops showing them.");
        ack.Arguments.Add(ackIds);
        ack.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Tool, async app =>
        {
            var store = app.Services.GetRequiredService<IStateStore>();
            var missing = 0;
            foreach (var id in parse.GetValue(ackIds) ?? [])
            {
                var done = await store.AcknowledgeOutcomeAsync(id);
                missing += done ? 0 : 1;
                Console.WriteLine(done ? $"outcome {id} acknowledged" : $"outcome {id} not found or already acknowledged");
            }

            return missing == 0 ? 0 : 1;
        }));

        errors.Subcommands.Add(list);
        errors.Subcommands.Add(replay);
        errors.Subcommands.Add(ack);
        return errors;
    }
}
