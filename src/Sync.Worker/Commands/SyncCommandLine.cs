using System.CommandLine;
using MessageSync.Worker.Hosting;

namespace MessageSync.Worker.Commands;

/// <summary>
/// The worker's verbs. Anything a verb does not recognise (e.g. <c>--Sync:Logging:Format=Json</c>) is handed to
/// the host's configuration, so every setting can also be given on the command line.
/// </summary>
public static class SyncCommandLine
{
    public static Task<int> InvokeAsync(string[] args) => Build().Parse(args).InvokeAsync();

    public static RootCommand Build()
    {
        var root = new RootCommand("MessageSync keeps linked Pylon issues, helpdesk tickets and Cord threads in step.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        root.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Run, RunCommand.ExecuteAsync));

        var run = Verb("run", "Run the always-on sync service (default).");
        run.SetAction(parse => HostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), HostMode.Run, RunCommand.ExecuteAsync));
        root.Subcommands.Add(run);

        root.Subcommands.Add(BackfillCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(LinksCommand.Create());
        root.Subcommands.Add(ErrorsCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        return root;
    }

    internal static Command Verb(string name, string description) => new(name, description) { TreatUnmatchedTokensAsErrors = false };
}
