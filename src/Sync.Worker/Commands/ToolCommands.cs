using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace MessageSync.Worker.Commands;

/// <summary><c>status</c>: links, lag, outbox, parked, faulted and unpropagated outcomes, from the state store.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        var command = SyncCommandLine.Verb("status", "Show links, lag, parked, faulted and unpropagated changes.");
        command.Options.Add(json);
        command.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Tool, async app =>
        {
            var store = app.Services.GetRequiredService<IStateStore>();
            var status = await store.GetStatusAsync();
            var outcomes = await store.ListOutcomesAsync(includeResolved: false);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { status.Links, Outcomes = outcomes }, ToolJson.Options));
                return 0;
            }

            StatusView.Write(status, outcomes);
            return 0;
        }));
        return command;
    }
}

/// <summary>Renders <c>status</c> for a person at a terminal.</summary>
public static class StatusView
{
    public static void Write(StoreStatus status, IReadOnlyList<OutcomeRecord> outcomes)
    {
        if (status.Links.Count == 0)
        {
            AnsiConsole.MarkupLine("[yellow]No link has been synced yet.[/] Configure Sync:Links in appsettings.json or run [bold]links add[/].");
        }

        foreach (var link in status.Links)
        {
            var table = new Table().Title($"link [bold]{Markup.Escape(link.LinkId)}[/]").AddColumns("system", "messages", "last poll");
            foreach (var system in Enum.GetValues<SystemId>())
            {
                if (link.MessagesPerSystem.TryGetValue(system, out var count) || link.LastPoll.ContainsKey(system))
                {
                    table.AddRow(system.ToString(), count.ToString(System.Globalization.CultureInfo.InvariantCulture), link.LastPoll.TryGetValue(system, out var at) ? at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "-");
                }
            }

            table.Caption($"mirrored {link.Mirrored} · outbox {link.UnpublishedOutbox}" +
                (link.OldestUnpublishedAt is { } oldest ? $" (oldest {oldest:u})" : "") +
                " · " + string.Join(", ", Enum.GetValues<OutcomeKind>().Select(k => $"{k} {link.OpenOutcomes.GetValueOrDefault(k)}")));
            AnsiConsole.Write(table);
        }

        if (outcomes.Count > 0)
        {
            var table = new Table().Title("[bold]open outcomes[/] (acknowledge with [bold]errors ack ID[/], replay with [bold]errors replay[/])")
                .AddColumns("id", "link", "target", "kind", "change", "message", "reason", "since");
            foreach (var o in outcomes)
            {
                table.AddRow(o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(o.LinkId), o.Target.ToString(), o.Kind.ToString(), o.Change?.ToString() ?? "-",
                    o.CanonicalId?.ToString() ?? "-", Markup.Escape(o.Reason), o.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
        }
    }
}

/// <summary><c>links add|remove|list</c>: links kept in the store (configuration links are listed too).</summary>
public static class LinksCommand
{
    public static Command Create()
    {
        var links = SyncCommandLine.Verb("links", "Add, remove or list linked conversations.");

        var id = new Argument<string>("id") { Description = "Link id (letters, digits, '_', '.', '-')." };
        var pylon = new Option<string?>("--pylon") { Description = "Pylon issue id." };
        var helpdesk = new Option<string?>("--helpdesk") { Description = "Helpdesk ticket id." };
        var cord = new Option<string?>("--cord") { Description = "Cord thread id." };
        var visible = new Option<bool>("--cord-customer-visible") { Description = "The Cord thread is shown to the customer (internal notes never go there)." };
        var agents = new Option<string[]>("--cord-agent") { Description = "Cord user id of an agent (repeatable).", AllowMultipleArgumentsPerToken = true };
        var deliver = new Option<ReplyDelivery>("--deliver-replies-via") { Description = "Origin (default) or Pylon." };

        var add = SyncCommandLine.Verb("add", "Add or replace a stored link.");
        add.Arguments.Add(id);
        foreach (var option in new Option[] { pylon, helpdesk, cord, visible, agents, deliver })
        {
            add.Options.Add(option);
        }

        add.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Tool, async app =>
        {
            var candidate = new LinkOptions
            {
                Id = parse.GetValue(id)!,
                PylonIssueId = parse.GetValue(pylon),
                HelpdeskTicketId = parse.GetValue(helpdesk),
                CordThreadId = parse.GetValue(cord),
                CordThreadCustomerVisible = parse.GetValue(visible),
                CordAgentUserIds = [.. parse.GetValue(agents) ?? []],
                DeliverRepliesVia = parse.GetValue(deliver),
            };
            var check = new SyncOptionsValidator().Validate(null, new SyncOptions { Links = [candidate] });
            if (check.Failed)
            {
                Console.Error.WriteLine($"links add: {check.FailureMessage.Replace("Sync:Links:0", "link", StringComparison.Ordinal)}");
                return 2;
            }

            await app.Services.GetRequiredService<IStateStore>().UpsertLinkAsync(candidate.ToLink());
            Console.WriteLine($"link {candidate.Id} saved; a running worker picks it up at its next poll");
            return 0;
        }));

        var removeId = new Argument<string>("id") { Description = "Link id." };
        var remove = SyncCommandLine.Verb("remove", "Remove a stored link (its history stays in the store).");
        remove.Arguments.Add(removeId);
        remove.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Tool, async app =>
        {
            var removed = await app.Services.GetRequiredService<IStateStore>().RemoveLinkAsync(parse.GetValue(removeId)!);
            Console.WriteLine(removed ? "link removed" : "no stored link has that id (configured links are removed from appsettings)");
            return removed ? 0 : 1;
        }));

        var list = SyncCommandLine.Verb("list", "List configured and stored links.");
        list.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Tool, async app =>
        {
            var settings = app.Services.GetRequiredService<IOptions<SyncOptions>>().Value;
            var stored = await app.Services.GetRequiredService<IStateStore>().ListLinksAsync();
            var table = new Table().AddColumns("id", "source", "pylon issue", "helpdesk ticket", "cord thread", "cord visible", "replies via");
            foreach (var (link, source) in settings.Links.Select(l => (l.ToLink(), "config")).Concat(stored.Select(s => (s.Link, s.Source))))
            {
                table.AddRow(Markup.Escape(link.Id), source, link.PylonIssueId ?? "-", link.HelpdeskTicketId ?? "-", link.CordThreadId ?? "-",
                    link.CordThreadCustomerVisible ? "yes" : "no", link.DeliverRepliesVia.ToString());
            }

            AnsiConsole.Write(table);
            return 0;
        }));

        links.Subcommands.Add(add);
        links.Subcommands.Add(remove);
        links.Subcommands.Add(list);
        return links;
    }
}

/// <summary><c>config check</c>: validates configuration exactly as start-up does, without starting anything.</summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var config = SyncCommandLine.Verb("config", "Configuration tools.");
        var check = SyncCommandLine.Verb("check", "Validate configuration as start-up would; exit 0 when valid.");
        check.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Tool, app =>
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            var options = app.Services.GetRequiredService<IOptions<SyncOptions>>().Value;
            Console.WriteLine($"configuration is valid: transport {options.Transport}, {options.Links.Count} configured link(s)");
            return Task.FromResult(0);
        }));
        config.Subcommands.Add(check);
        return config;
    }
}

internal static class ToolJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}
