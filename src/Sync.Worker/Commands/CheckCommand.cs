using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;
using MessageSync.Worker.Hosting;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace MessageSync.Worker.Commands;

/// <summary>
/// <c>check</c> (as Airbyte connectors have one): is this configuration able to work right now? The configuration is
/// validated as <c>run</c> does it, then the state store, the broker and each configured system are tried with one
/// cheap operation each (a system: one page of the first conversation a link names), and a pass/fail table printed.
/// Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2 when the configuration is invalid.
/// </summary>
public static class CheckCommand
{
    public static Command Create(VerbContext context)
    {
        var json = ToolOutput.JsonOption();
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "Time allowed for each check.",
            HelpName = "hh:mm:ss",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
            CustomParser = ToolOutput.PositiveTimeSpan,
        };
        var command = new Command("check", "Try the configured systems' credentials and reachability, the broker and the state store; print a pass/fail table.")
        {
            json, timeout,
        };
        command.SetAction(parse => context.RunAsync(HostMode.Check, async app =>
        {
            var problems = ConfigCommand.Validate(app.Services);
            var results = problems.Count > 0
                ? [new CheckResult("configuration", CheckStatus.Fail, string.Join("; ", problems), 0)]
                : await RunAllAsync(app.Services, parse.GetValue(timeout), app.Lifetime.ApplicationStopping);
            if (parse.GetValue(json))
            {
                ToolOutput.Json(new CheckDocument(results.All(r => r.Status != CheckStatus.Fail), results));
            }
            else
            {
                Write(ToolOutput.Tables, results);
            }

            return problems.Count > 0 ? ExitCodes.Usage : results.Any(r => r.Status == CheckStatus.Fail) ? ExitCodes.Failure : ExitCodes.Ok;
        }));
        return command;
    }

    public static async Task<IReadOnlyList<CheckResult>> RunAllAsync(IServiceProvider services, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var results = new List<CheckResult> { new("configuration", CheckStatus.Pass, "valid, as run would find it", 0) };
        results.Add(await TimedAsync("state store", timeout, ct => StateStoreAsync(services, ct), cancellationToken));
        results.Add(await TimedAsync("broker", timeout, ct => BrokerAsync(services.GetRequiredService<IOptions<SyncOptions>>().Value, timeout, ct), cancellationToken));
        // Stored links too, unless the store is missing (reading it would create it) or failing.
        var links = results[1].Status == CheckStatus.Pass
            ? await LinksAsync(services, cancellationToken)
            : services.GetRequiredService<IOptions<SyncOptions>>().Value.Links.Select(l => l.ToLink()).ToList();
        foreach (var system in services.GetServices<IMessageSystem>().OrderBy(s => s.System))
        {
            results.Add(await TimedAsync(system.System.ToString(), timeout, ct => SystemAsync(system, links, ct), cancellationToken));
        }

        return results;
    }

    private static async Task<CheckResult> TimedAsync(string name, TimeSpan timeout, Func<CancellationToken, Task<(CheckStatus, string)>> check, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        CheckStatus status;
        string detail;
        try
        {
            (status, detail) = await check(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (status, detail) = (CheckStatus.Fail, $"no answer within {timeout:c}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            (status, detail) = (CheckStatus.Fail, SecretMask.Mask(ex.Message));
        }

        return new CheckResult(name, status, detail, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static async Task<(CheckStatus, string)> StateStoreAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<StateStoreOptions>>().Value;
        string where;
        if (options.Provider == StateProvider.Sqlite)
        {
            where = Path.GetFullPath(options.Path);
            if (!File.Exists(where))
            {
                // Opening it would create it; say so instead, and leave creating it to run.
                return (CheckStatus.Warn, $"{where} does not exist yet: run creates it at first start (check the path if this worker has run before)");
            }
        }
        else
        {
            // Never the connection string itself: it may hold a password.
            where = string.IsNullOrWhiteSpace(options.ConnectionString)
                ? $"PostgreSQL (connection string in {options.ConnectionStringFile})"
                : new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString) is var c ? $"PostgreSQL {c.Host}:{c.Port}/{c.Database} as {c.Username}" : "PostgreSQL";
        }

        var status = await services.GetRequiredService<IStateStore>().GetStatusAsync(cancellationToken);
        return (CheckStatus.Pass, $"{where}: readable, {status.Links.Count} link(s) with state");
    }

    private static async Task<(CheckStatus, string)> BrokerAsync(SyncOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (options.Transport == TransportKind.InMemory)
        {
            return (CheckStatus.Pass, "in-memory bus: nothing to reach (one process)");
        }

        var rabbit = options.RabbitMq;
        var where = $"RabbitMQ at {rabbit.Host}:{rabbit.Port}, virtual host {rabbit.VirtualHost}, as {rabbit.Username}";
        var factory = new ConnectionFactory
        {
            HostName = rabbit.Host,
            Port = rabbit.Port,
            VirtualHost = rabbit.VirtualHost,
            UserName = rabbit.Username,
            Password = rabbit.Password,
            RequestedConnectionTimeout = timeout,
            AutomaticRecoveryEnabled = false,
            ClientProvidedName = "messagesync-check",
        };
        try
        {
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            var version = connection.ServerProperties?.TryGetValue("version", out var v) == true && v is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "?";
            await connection.CloseAsync(cancellationToken);
            return (CheckStatus.Pass, $"{where}: connected (RabbitMQ {version})");
        }
        catch (BrokerUnreachableException ex)
        {
            var reasons = Inner(ex).ToList();
            var refused = reasons.OfType<AuthenticationFailureException>().FirstOrDefault();
            return (CheckStatus.Fail, refused is not null ? $"{where}: credentials refused ({refused.Message})" : $"{where}: unreachable ({reasons[^1].Message})");
        }
        catch (OperationInterruptedException ex)
        {
            return (CheckStatus.Fail, $"{where}: connection refused by the broker ({ex.Message})");
        }
    }

    private static async Task<IReadOnlyList<ConversationLink>> LinksAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        try
        {
            return await services.GetRequiredService<ILinkProvider>().GetLinksAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return services.GetRequiredService<IOptions<SyncOptions>>().Value.Links.Select(l => l.ToLink()).ToList();
        }
    }

    private static async Task<(CheckStatus, string)> SystemAsync(IMessageSystem system, IReadOnlyList<ConversationLink> links, CancellationToken cancellationToken)
    {
        var link = links.FirstOrDefault(l => l.ConversationId(system.System) is not null);
        if (link is null)
        {
            return (CheckStatus.Warn, "no link names a conversation here, so there is nothing cheap to read: credentials not tried");
        }

        var conversation = link.ConversationId(system.System);
        try
        {
            var page = await system.ReadPageAsync(link, cursor: null, cancellationToken);
            return (CheckStatus.Pass, $"read {page.Messages.Count.ToString(CultureInfo.InvariantCulture)} message(s) of {conversation} (link {link.Id}): reachable, credentials accepted");
        }
        catch (NotFoundException)
        {
            return (CheckStatus.Warn, $"reachable and credentials accepted, but {conversation} (link {link.Id}) was not found");
        }
        catch (AuthenticationException ex)
        {
            return (CheckStatus.Fail, $"credentials refused: {ex.Message}");
        }
        catch (SyncException ex)
        {
            return (CheckStatus.Fail, ex.IsTransient ? $"unreachable or failing: {ex.Message}" : ex.Message);
        }
    }

    private static IEnumerable<Exception> Inner(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static void Write(IAnsiConsole console, IReadOnlyList<CheckResult> results)
    {
        var table = new Table().AddColumns("check", "result", "detail", "ms");
        foreach (var result in results)
        {
            var label = result.Status switch
            {
                CheckStatus.Pass => "[green]pass[/]",
                CheckStatus.Warn => "[yellow]warn[/]",
                _ => "[red]FAIL[/]",
            };
            table.AddRow(Markup.Escape(result.Name), label, Markup.Escape(result.Detail), result.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }
}

public enum CheckStatus
{
    Pass,
    Warn,
    Fail,
}

/// <summary>One check: a name (configuration, state store, broker, Pylon, Helpdesk, Cord), pass/warn/fail, why, how long.</summary>
public sealed record CheckResult(string Name, CheckStatus Status, string Detail, long ElapsedMilliseconds);

/// <summary><c>check --json</c>: <c>passed</c> is false when any check failed (warnings do not fail).</summary>
public sealed record CheckDocument(bool Passed, IReadOnlyList<CheckResult> Checks);
