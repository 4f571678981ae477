using System.Globalization;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using Spectre.Console;

namespace MessageSync.Worker.Commands;

/// <summary>Renders <c>status</c> and <c>errors list</c> for a person at a terminal.</summary>
public static class StatusView
{
    public static void Write(IAnsiConsole console, StoreStatus status, IReadOnlyList<OutcomeRecord> outcomes, bool withLinks = true)
    {
        if (withLinks && status.Links.Count == 0)
        {
            console.MarkupLine("[yellow]No link has been synced yet.[/] Configure Sync:Links in appsettings.json or run [bold]links add[/].");
        }

        foreach (var link in status.Links)
        {
            // Heading and summary are lines of their own, not a table title or caption: those are cut to the table's width.
            console.MarkupLine($"link [bold]{Markup.Escape(link.LinkId)}[/]");
            var table = new Table().AddColumns("system", "messages", "last poll");
            foreach (var system in Enum.GetValues<SystemId>())
            {
                if (link.MessagesPerSystem.TryGetValue(system, out var count) || link.LastPoll.ContainsKey(system))
                {
                    table.AddRow(system.ToString(), count.ToString(CultureInfo.InvariantCulture), link.LastPoll.TryGetValue(system, out var at) ? at.ToString("u", CultureInfo.InvariantCulture) : "-");
                }
            }

            if (table.Rows.Count > 0)
            {
                console.Write(table);
            }
            else
            {
                console.WriteLine("  not polled yet");
            }

            console.WriteLine($"  mirrored {link.Mirrored} · outbox {link.UnpublishedOutbox}" +
                (link.OldestUnpublishedAt is { } oldest ? $" (oldest {oldest.ToString("u", CultureInfo.InvariantCulture)})" : "") +
                " · " + string.Join(", ", Enum.GetValues<OutcomeKind>().Select(k => $"{k} {link.OpenOutcomes.GetValueOrDefault(k)}")));
            console.WriteLine();
        }

        if (!withLinks && outcomes.Count == 0)
        {
            console.WriteLine("No open outcome: nothing is parked, faulted, skipped or unpropagated.");
        }

        if (outcomes.Count > 0)
        {
            console.MarkupLine("[bold]open outcomes[/] (acknowledge with [bold]errors ack ID[/], replay with [bold]errors replay[/])");
            var table = new Table().AddColumns("id", "link", "target", "kind", "change", "message", "reason", "since");
            foreach (var o in outcomes)
            {
                table.AddRow(o.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(o.LinkId), o.Target.ToString(), o.Kind.ToString(), o.Change?.ToString() ?? "-",
                    o.CanonicalId?.ToString() ?? "-", Markup.Escape(o.Reason), o.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
            }

            console.Write(table);
        }
    }

    /// <summary>
    /// What each system showed about keeping our data-sync-id marker (issue 9.6): where it keeps it, a write whose answer was
    /// lost is settled exactly; where it drops it, such a write becomes a possibly_written outcome.
    /// </summary>
    public static void WriteMarkers(IAnsiConsole console, IReadOnlyList<MarkerKeeping> markers)
    {
        foreach (var system in Enum.GetValues<SystemId>().Where(s => s != SystemId.Cord))
        {
            var known = markers.FirstOrDefault(m => m.System == system);
            var line = known is null
                ? "not seen yet (no copy of ours read back)"
                : (known.Keeps ? "kept" : "[yellow]dropped[/]: a write whose answer is lost becomes possibly_written")
                    + $" (seen {known.ObservedAt.ToString("u", CultureInfo.InvariantCulture)}: {Markup.Escape(known.Evidence)})";
            console.MarkupLine($"{system} data-sync-id marker: {line}");
        }
    }
}
