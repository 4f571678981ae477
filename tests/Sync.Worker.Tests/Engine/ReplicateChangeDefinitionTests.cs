using MassTransit;
using MassTransit.Testing;
using MessageSync.Core.Contracts;
using MessageSync.Core.Detection;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace MessageSync.Worker.Tests.Engine;

/// <summary>
/// The apply endpoint's policy (<see cref="ReplicateChangeDefinition{TConsumer}"/>) through MassTransit's own test harness:
/// a transient failure is retried until the change is applied, a permanent one is recorded and not retried. The engine is
/// real (SQLite file, poller, applier); the two systems are substitutes of the port.
/// </summary>
public sealed class ReplicateChangeDefinitionTests : IAsyncLifetime, IDisposable
{
    private static readonly ConversationLink Link = new() { Id = "l1", PylonIssueId = "iss_1", CordThreadId = "th_1" };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ms-definition-" + Guid.NewGuid().ToString("N"));
    private readonly IMessageSystem _pylon = System(SystemId.Pylon);
    private readonly IMessageSystem _cord = System(SystemId.Cord);
    private StateStore _store = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _store = new StateStore(new SqliteDialect(Path.Combine(_folder, "sync.db"), TimeSpan.FromSeconds(30)));
        await _store.InitializeAsync();
        _pylon.ReadPageAsync(default!, default, default).ReturnsForAnyArgs(new MessagePage([Customer("msg_1", "hello")], null, false));
        _cord.FindMirrorAsync(default!, default, default!, default).ReturnsForAnyArgs(MirrorSearch.Absent);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_until_the_change_is_applied()
    {
        _cord.CreateAsync(default!, default).ReturnsForAnyArgs(
            _ => throw new TransientApiException(SystemId.Cord, "503 from Cord"),
            _ => Task.FromResult(new WrittenMessage("cord_1", Customer("cord_1", "hello"))));
        await using var provider = Services();
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var change = await DetectAsync(provider);
        await harness.Bus.Publish(change);

        var mapping = await WaitForAsync(() => _store.GetMappingAsync(change.CanonicalId, SystemId.Cord));
        Assert.Equal("cord_1", mapping.ExternalId);
        await _cord.ReceivedWithAnyArgs(2).CreateAsync(default!, default);
        Assert.Empty(await _store.ListOutcomesAsync(includeResolved: false));
    }

    [Fact]
    public async Task A_permanent_failure_is_recorded_as_faulted_and_not_retried()
    {
        _cord.CreateAsync(default!, default).ThrowsAsyncForAnyArgs(new PermanentApiException(SystemId.Cord, 422, "the thread refuses it"));
        await using var provider = Services();
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var change = await DetectAsync(provider);
        await harness.Bus.Publish(change);

        // The fault is published once the endpoint gives up: with retries it would come only after them.
        Assert.True(await harness.Published.Any<Fault<MessageChanged>>(), "the change went to the error queue");
        await _cord.ReceivedWithAnyArgs(1).CreateAsync(default!, default);
        var outcome = Assert.Single(await _store.ListOutcomesAsync(includeResolved: false));
        Assert.Equal((OutcomeKind.Faulted, SystemId.Cord), (outcome.Kind, outcome.Target));
    }

    private ServiceProvider Services()
    {
        var links = Substitute.For<ILinkProvider>();
        links.GetLinksAsync(default).ReturnsForAnyArgs([Link]);
        var policies = Substitute.For<ITargetPolicies>();
        policies.PolicyFor(default).ReturnsForAnyArgs(TargetPolicy.Default);
        return new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IStateStore>(_store)
            .AddSingleton<IEnumerable<IMessageSystem>>([_pylon, _cord])
            .AddSingleton(links)
            .AddSingleton(policies)
            .AddSingleton<OutboxSignal>()
            .AddSingleton<SyncMetrics>()
            .AddSingleton<SystemPause>()
            .AddSingleton<ChangeDetector>()
            .AddSingleton<MarkerKnowledge>()
            .AddSingleton<ConversationPoller>()
            .AddSingleton<ChangeApplier>()
            .AddMassTransitTestHarness(bus => bus.AddConsumer<CordChangeConsumer, ReplicateChangeDefinition<CordChangeConsumer>>())
            .BuildServiceProvider(validateScopes: true);
    }

    /// <summary>Polls Pylon as the worker does and takes the change it committed to the outbox.</summary>
    private async Task<MessageChanged> DetectAsync(IServiceProvider provider)
    {
        await _store.UpsertLinkAsync(Link);
        await provider.GetRequiredService<ConversationPoller>().PollAsync(Link, SystemId.Pylon, fullScan: true, CancellationToken.None);
        return Assert.Single(await _store.GetUnpublishedAsync(10)).Message;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> read)
        where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    private static IMessageSystem System(SystemId id)
    {
        var system = Substitute.For<IMessageSystem>();
        system.System.Returns(id);
        system.Capabilities.Returns(new SystemCapabilities
        {
            CreatableKinds = new HashSet<MessageKind> { MessageKind.CustomerMessage, MessageKind.AgentReply, MessageKind.InternalNote },
            CanEdit = true,
            CanRedact = true,
            CanDelete = true,
        });
        return system;
    }

    private static ObservedMessage Customer(string id, string text) => new()
    {
        ExternalId = id,
        Kind = MessageKind.CustomerMessage,
        Author = new Author("Ana Ruiz", "ana@example.com", IsCustomer: true),
        BodyHtml = $"<p>{text}</p>",
        BodyText = text,
        CreatedAt = DateTimeOffset.UtcNow,
    };
}
