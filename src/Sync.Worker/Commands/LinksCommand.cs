using System.CommandLine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace MessageSync.Worker.Commands;

/// <summary><c>links add|remove|list</c>: links kept in the store (configuration links are listed too, and changed in appsettings only).</summary>
public static class LinksCommand
{
    public static Command Create(VerbContext context)
    {
        var links = new Command("links", "Add, remove or list linked conversations.");

        var id = new Argument<string>("id") { Description = "Link id (letters, digits, '_', '.', '-')." };
        var pylon = new Option<string?>("--pylon") { Description = "Pylon issue id." };
        var helpdesk = new Option<string?>("--helpdesk") { Description = "Helpdesk ticket id." };
        var cord = new Option<string?>("--cord") { Description = "Cord thread id." };
        var visible = new Option<bool>("--cord-customer-visible") { Description = "The Cord thread is shown to the customer (internal notes never go there)." };
        var agents = new Option<string[]>("--cord-agent") { Description = "Cord user id of an agent (repeatable)." };
        var deliver = new Option<ReplyDelivery>("--deliver-replies-via") { Description = "Origin (default) or Pylon." };

        var add = new Command("add", "Add a link to the store, or replace a stored one.");
        add.Arguments.Add(id);
        foreach (var option in new Option[] { pylon, helpdesk, cord, visible, agents, deliver })
        {
            add.Options.Add(option);
        }

        add.SetAction(parse => context.RunAsync(HostMode.Tool, async app =>
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
            var settings = app.Services.GetRequiredService<IOptions<SyncOptions>>().Value;
            if (settings.Links.Any(l => l.Id == candidate.Id))
            {
                return ToolOutput.Refuse("links add", [$"link {candidate.Id} is configured in appsettings (Sync:Links); change it there"]);
            }

            // The validator run uses, so a stored link obeys the rules of a configured one (two systems, each configured).
            var check = app.Services.GetRequiredService<IValidateOptions<SyncOptions>>().Validate(null, new SyncOptions { Links = [candidate] });
            if (check.Failed)
            {
                return ToolOutput.Refuse("links add", check.Failures.Select(f => f.Replace("Sync:Links:0", "link", StringComparison.Ordinal)));
            }

            var store = app.Services.GetRequiredService<IStateStore>();
            var replaced = (await store.ListLinksAsync()).Any(l => l.Link.Id == candidate.Id);
            await store.UpsertLinkAsync(candidate.ToLink());
            Console.WriteLine($"link {candidate.Id} {(replaced ? "replaced" : "saved")}; a running worker picks it up at its next poll");
            return ExitCodes.Ok;
        }));

        var removeId = new Argument<string>("id") { Description = "Link id." };
        var remove = new Command("remove", "Remove a stored link (its history stays in the store).");
        remove.Arguments.Add(removeId);
        remove.SetAction(parse => context.RunAsync(HostMode.Tool, async app =>
        {
            var linkId = parse.GetValue(removeId)!;
            var settings = app.Services.GetRequiredService<IOptions<SyncOptions>>().Value;
            if (settings.Links.Any(l => l.Id == linkId))
            {
                return ToolOutput.Refuse("links remove", [$"link {linkId} is configured in appsettings (Sync:Links); remove it there"]);
            }

            var store = app.Services.GetRequiredService<IStateStore>();
            if (!await store.RemoveLinkAsync(linkId))
            {
                var closest = Suggestions.Closest(linkId, (await store.ListLinksAsync()).Select(l => l.Link.Id).ToList());
                return ToolOutput.Refuse("links remove", [$"no stored link has id {linkId}" + (closest is null ? "" : $"; did you mean {closest}?")]);
            }

            Console.WriteLine($"link {linkId} removed");
            return ExitCodes.Ok;
        }));

        var json = ToolOutput.JsonOption();
        var list = new Command("list", "List configured and stored links.") { json };
        list.SetAction(parse => context.RunAsync(HostMode.Tool, async app =>
        {
            var settings = app.Services.GetRequiredService<IOptions<SyncOptions>>().Value;
            var stored = await app.Services.GetRequiredService<IStateStore>().ListLinksAsync();
            var all = settings.Links.Select(l => LinkDocument.From(l.ToLink(), "config")).Concat(stored.Select(s => LinkDocument.From(s.Link, s.Source))).ToList();
            if (parse.GetValue(json))
            {
                ToolOutput.Json(new LinksDocument(all));
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("id", "source", "pylon issue", "helpdesk ticket", "cord thread", "cord visible", "replies via");
            foreach (var link in all)
            {
                table.AddRow(Markup.Escape(link.Id), link.Source, Markup.Escape(link.PylonIssueId ?? "-"), Markup.Escape(link.HelpdeskTicketId ?? "-"),
                    Markup.Escape(link.CordThreadId ?? "-"), link.CordThreadCustomerVisible ? "yes" : "no", link.DeliverRepliesVia.ToString());
            }

            ToolOutput.Tables.Write(table);
            return ExitCodes.Ok;
        }));

        links.Subcommands.Add(add);
        links.Subcommands.Add(remove);
        links.Subcommands.Add(list);
        return links;
    }
}
