using System.CommandLine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Hosting;

namespace MessageSync.Worker.Commands;

/// <summary><c>status</c>: links, lag, outbox, parked, faulted and unpropagated outcomes, from the state store.</summary>
public static class StatusCommand
{
    public static Command Create(VerbContext context)
    {
        var json = ToolOutput.JsonOption();
        var command = new Command("status", "Show links, lag, parked, faulted and unpropagated changes.");
        command.Options.Add(json);
        command.SetAction(parse => context.RunAsync(HostMode.Tool, async app =>
        {
            var store = app.Services.GetRequiredService<IStateStore>();
            var status = await store.GetStatusAsync();
            var outcomes = await store.ListOutcomesAsync(includeResolved: false);
            var markers = new List<MarkerKeeping>();
            foreach (var system in Enum.GetValues<SystemId>())
            {
                if (await store.GetMarkerKeepingAsync(system) is { } known)
                {
                    markers.Add(known);
                }
            }

            if (parse.GetValue(json))
            {
                ToolOutput.Json(ToolJson.Status(status, outcomes, markers));
                return ExitCodes.Ok;
            }

            StatusView.Write(ToolOutput.Tables, status, outcomes);
            StatusView.WriteMarkers(ToolOutput.Tables, markers);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
