using System.CommandLine;
using MessageSync.Core.State;
using MessageSync.Worker.Hosting;

namespace MessageSync.Worker.Commands;

/// <summary>
/// <c>errors list|replay|ack</c>: parked and faulted changes, sent again or acknowledged by an operator. Ids are checked
/// before anything is done: one unknown id refuses the whole command (exit 2) and changes nothing.
/// </summary>
public static class ErrorsCommand
{
    public static Command Create(VerbContext context)
    {
        var errors = new Command("errors", "List, replay or acknowledge parked and faulted changes.");

        var json = ToolOutput.JsonOption();
        var list = new Command("list", "List open outcomes (parked, faulted, unpropagated redactions, skipped).") { json };
        list.SetAction(parse => context.RunAsync(HostMode.Tool, async app =>
        {
            var outcomes = await app.Services.GetRequiredService<IStateStore>().ListOutcomesAsync(includeResolved: false);
            if (parse.GetValue(json))
            {
                ToolOutput.Json(new ErrorsDocument(outcomes.Select(ToolJson.Outcome).ToList()));
            }
            else
            {
                StatusView.Write(ToolOutput.Tables, new StoreStatus([]), outcomes, withLinks: false);
            }

            return ExitCodes.Ok;
        }));

        var ids = OutcomeIds("Outcome ids (default: every open parked or faulted change).", ArgumentArity.ZeroOrMore);
        var replay = new Command("replay", "Send parked and faulted changes again (the running worker picks them up from the outbox).");
        replay.Arguments.Add(ids);
        replay.SetAction(parse => context.RunAsync(HostMode.Tool, async app =>
        {
            var store = app.Services.GetRequiredService<IStateStore>();
            var wanted = parse.GetValue(ids) ?? [];
            var all = await store.ListOutcomesAsync(includeResolved: true);
            List<OutcomeRecord> chosen;
            if (wanted.Length == 0)
            {
                chosen = all.Where(o => o.IsOpen && o.Kind is OutcomeKind.Parked or OutcomeKind.Faulted && o.Change is not null).ToList();
            }
            else
            {
                var problems = Check(wanted, all, o => o.Change is null || o.CanonicalId is null ? "records no change to send again" : null);
                if (problems.Count > 0)
                {
                    return ToolOutput.Refuse("errors replay", problems);
                }

                chosen = wanted.Distinct().Select(id => all.Single(o => o.Id == id)).ToList();
            }

            foreach (var outcome in chosen)
            {
                await store.ReplayOutcomeAsync(outcome.Id);
                Console.WriteLine($"replaying outcome {outcome.Id}: {outcome.Change} of {outcome.CanonicalId} to {outcome.Target}");
            }

            Console.WriteLine(chosen.Count == 0 ? "nothing to replay" : $"{chosen.Count} change(s) queued again");
            return ExitCodes.Ok;
        }));

        var ackIds = OutcomeIds("Outcome ids to acknowledge.", ArgumentArity.OneOrMore);
        var ack = new Command("ack", "Acknowledge outcomes (e.g. an unpropagated redaction handled by hand); status stops showing them.");
        ack.Arguments.Add(ackIds);
        ack.SetAction(parse => context.RunAsync(HostMode.Tool, async app =>
        {
            var store = app.Services.GetRequiredService<IStateStore>();
            var wanted = parse.GetValue(ackIds) ?? [];
            var all = await store.ListOutcomesAsync(includeResolved: true);
            var problems = Check(wanted, all, _ => null, mustBeOpen: false);
            if (problems.Count > 0)
            {
                return ToolOutput.Refuse("errors ack", problems);
            }

            foreach (var id in wanted.Distinct())
            {
                var done = await store.AcknowledgeOutcomeAsync(id);
                Console.WriteLine(done ? $"outcome {id} acknowledged" : $"outcome {id} was already acknowledged");
            }

            return ExitCodes.Ok;
        }));

        errors.Subcommands.Add(list);
        errors.Subcommands.Add(replay);
        errors.Subcommands.Add(ack);
        return errors;
    }

    /// <summary>Outcome ids are whole numbers; anything else is refused by name (never read as 0).</summary>
    private static Argument<long[]> OutcomeIds(string description, ArgumentArity arity) => new("id")
    {
        Description = description,
        Arity = arity,
        CustomParser = result =>
        {
            var values = new List<long>();
            foreach (var token in result.Tokens)
            {
                if (long.TryParse(token.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0)
                {
                    values.Add(value);
                }
                else
                {
                    result.AddError($"'{token.Value}' is not an outcome id (a positive whole number, as errors list shows)");
                }
            }

            return [.. values];
        },
    };

    /// <summary>Every id must name an outcome (and, for a replay, an open one that recorded a change).</summary>
    private static List<string> Check(IEnumerable<long> wanted, IReadOnlyList<OutcomeRecord> all, Func<OutcomeRecord, string?> unusable, bool mustBeOpen = true)
    {
        var problems = new List<string>();
        foreach (var id in wanted.Distinct())
        {
            var outcome = all.FirstOrDefault(o => o.Id == id);
            if (outcome is null)
            {
                problems.Add($"no outcome has id {id} (errors list shows the open ones)");
            }
            else if (mustBeOpen && !outcome.IsOpen)
            {
                problems.Add($"outcome {id} is already {(outcome.ResolvedAt is not null ? "resolved" : "acknowledged")}");
            }
            else if (unusable(outcome) is { } reason)
            {
                problems.Add($"outcome {id} ({outcome.Kind}) {reason}");
            }
        }

        return problems;
    }
}
