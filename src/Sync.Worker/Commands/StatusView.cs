using System.Globalization;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using Spectre.Console;

namespace MessageSync.Worker.Commands;

/// <summary>Renders <c>status</c> and <c>errors list</c> for a person at a terminal.</summary>
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
                    table.AddRow(system.ToString(), count.ToString(CultureInfo.InvariantCulture), link.LastPoll.TryGetValue(system, out var at) ? at.ToString("u", CultureInfo.InvariantCulture) : "-");
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
                table.AddRow(o.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(o.LinkId), o.Target.ToString(), o.Kind.ToString(), o.Change?.ToString() ?? "-",
                    o.CanonicalId?.ToString() ?? "-", Markup.Escape(o.Reason), o.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
        }
    }
}
