using System.Reflection;
using MessageSync.Core.Contracts;
using MessageSync.Core.Detection;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using MessageSync.Core.Tests.State;
using Microsoft.Extensions.Logging;

namespace MessageSync.Core.Tests.Engine;

/// <summary>
/// The engine over a real SQLite file and three fake systems: a poller to detect what a person wrote and a change applier to
/// copy it. <see cref="Restart"/> builds a new engine over the same file and systems, as a process would after a crash.
/// </summary>
internal sealed class EngineRig : IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly List<StateStore> _stores = [];

    public EngineRig(ConversationLink? link = null)
    {
        Link = link ?? Samples.Link();
        Pylon = new FakeMessageSystem(SystemId.Pylon);
        Helpdesk = new FakeMessageSystem(SystemId.Helpdesk, FakeMessageSystem.CreateOnly);
        Cord = new FakeMessageSystem(SystemId.Cord) { CallerChosenIds = true };
        Restart();
    }

    public ConversationLink Link { get; set; }

    /// <summary>More configured links beside <see cref="Link"/> (the one polled and applied to).</summary>
    public List<ConversationLink> OtherLinks { get; } = [];

    public FakeMessageSystem Pylon { get; }
    public FakeMessageSystem Helpdesk { get; }
    public FakeMessageSystem Cord { get; }

    public ManualClock Clock => _db.Clock;

    public IStateStore Store { get; private set; } = null!;
    public StateStore RealStore { get; private set; } = null!;
    public ChangeApplier Applier { get; private set; } = null!;
    public ConversationPoller Poller { get; private set; } = null!;
    public SystemPause Pause { get; private set; } = null!;
    public ListLogger<ChangeApplier> ApplierLog { get; private set; } = null!;
    public ListLogger<ConversationPoller> PollerLog { get; private set; } = null!;
    public ListLogger<SystemPause> PauseLog { get; private set; } = null!;
    public ListLogger<MarkerKnowledge> MarkersLog { get; private set; } = null!;
    public Dictionary<SystemId, TargetPolicy> Policies { get; } = [];

    public FakeMessageSystem System(SystemId id) => id switch
    {
        SystemId.Pylon => Pylon,
        SystemId.Helpdesk => Helpdesk,
        _ => Cord,
    };

    /// <summary>A new engine (store connection, applier, poller) over the same file, as after a process restart.</summary>
    /// <param name="crashBefore">A store method that fails once, before it runs: the process dies at that point.</param>
    public void Restart(string? crashBefore = null)
    {
        RealStore = _db.Open();
        _stores.Add(RealStore);
        Store = crashBefore is null ? RealStore : CrashingStore.Wrap(RealStore, crashBefore);
        var systems = new IMessageSystem[] { Pylon, Helpdesk, Cord };
        var metrics = new SyncMetrics();
        var signal = new OutboxSignal();
        PauseLog = new ListLogger<SystemPause>();
        Pause = new SystemPause(Clock, Store, signal, PauseLog);
        ApplierLog = new ListLogger<ChangeApplier>();
        PollerLog = new ListLogger<ConversationPoller>();
        MarkersLog = new ListLogger<MarkerKnowledge>();
        var markers = new MarkerKnowledge(Store, new Links(this), MarkersLog);
        Applier = new ChangeApplier(Store, systems, new Links(this), new PolicyTable(this), Pause, markers, metrics, ApplierLog);
        Poller = new ConversationPoller(Store, systems, new ChangeDetector(Clock), signal, markers, metrics, PollerLog);
    }

    /// <summary>Polls <paramref name="system"/> and returns the changes it committed to the outbox.</summary>
    public async Task<IReadOnlyList<MessageChanged>> PollAsync(SystemId system, bool fullScan = false)
    {
        await PublishAsync();
        await Poller.PollAsync(Link, system, fullScan, CancellationToken.None);
        return await PublishAsync();
    }

    /// <summary>What the relay would publish now (the outbox rows not yet published), marked published.</summary>
    public async Task<IReadOnlyList<MessageChanged>> PublishAsync()
    {
        var pending = await RealStore.GetUnpublishedAsync(10_000);
        await RealStore.MarkPublishedAsync(pending.Select(e => e.Sequence));
        return pending.Select(e => e.Message).ToList();
    }

    public Task ApplyAsync(MessageChanged change, SystemId target, bool lastAttempt = false) =>
        Applier.ApplyAsync(change, target, lastAttempt, CancellationToken.None);

    /// <summary>Applies a change to every other system of the link, as the three consumer endpoints would.</summary>
    public async Task ApplyEverywhereAsync(IEnumerable<MessageChanged> changes)
    {
        foreach (var change in changes)
        {
            foreach (var target in Enum.GetValues<SystemId>())
            {
                await ApplyAsync(change, target);
            }
        }
    }

    public async Task<IReadOnlyList<OutcomeRecord>> OpenOutcomesAsync() => await RealStore.ListOutcomesAsync(includeResolved: false);

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _db.Dispose();
    }

    private sealed class Links(EngineRig rig) : ILinkProvider
    {
        public Task<IReadOnlyList<ConversationLink>> GetLinksAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ConversationLink>>([rig.Link, .. rig.OtherLinks]);
    }

    private sealed class PolicyTable(EngineRig rig) : ITargetPolicies
    {
        public TargetPolicy PolicyFor(SystemId target) => rig.Policies.TryGetValue(target, out var policy) ? policy : TargetPolicy.Default;
    }
}

/// <summary>The process dies: thrown where a crash is simulated.</summary>
internal sealed class SimulatedCrashException(string where) : Exception($"simulated crash before {where}");

/// <summary>An <see cref="IStateStore"/> that dies once, before the named method runs, and forwards everything else.</summary>
public class CrashingStore : DispatchProxy
{
    private IStateStore _inner = null!;
    private string? _crashBefore;

    internal static IStateStore Wrap(IStateStore inner, string crashBefore)
    {
        if (typeof(IStateStore).GetMethod(crashBefore) is null)
        {
            throw new ArgumentException($"IStateStore has no method {crashBefore}.", nameof(crashBefore));
        }

        var proxy = Create<IStateStore, CrashingStore>();
        var crashing = (CrashingStore)(object)proxy;
        crashing._inner = inner;
        crashing._crashBefore = crashBefore;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == _crashBefore)
        {
            _crashBefore = null;
            throw new SimulatedCrashException(targetMethod.Name);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }
}

/// <summary>A logger that keeps every line, for tests that count log lines.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, string Message)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            _lines.Add((logLevel, formatter(state, exception)));
        }
    }
}
