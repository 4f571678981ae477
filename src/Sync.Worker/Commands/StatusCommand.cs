using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using MessageSync.Core.State;
using MessageSync.Worker.Hosting;

namespace MessageSync.Worker.Commands;

/// <summary><c>status</c>: links, lag, outbox, parked, faulted and unpropagated outcomes, from the state store.</summary>
public static class StatusCommand
{
    public static Command Create(VerbContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        var command = new Command("status", "Show links, lag, parked, faulted and unpropagated changes.");
        command.Options.Add(json);
        command.SetAction(parse => context.RunAsync(HostMode.Tool, async app =>
        {
            var store = app.Services.GetRequiredService<IStateStore>();
            var status = await store.GetStatusAsync();
            var outcomes = await store.ListOutcomesAsync(includeResolved: false);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { status.Links, Outcomes = outcomes }, ToolJson.Options));
                return ExitCodes.Ok;
            }

            StatusView.Write(status, outcomes);
            return ExitCodes.Ok;
        }));
        return command;
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
