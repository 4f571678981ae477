using MessageSync.Adapters;
using MessageSync.Core.Detection;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Http;
using MessageSync.Worker.Options;
using MessageSync.Worker.Ownership;
using MessageSync.Worker.Transport;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MessageSync.Worker.Hosting;

public static class SyncServices
{
    /// <summary>The state store, the adapters of the configured systems, the bus and, for <c>run</c> and <c>backfill</c>, the engine's loops.</summary>
    public static IHostApplicationBuilder AddSyncServices(this IHostApplicationBuilder builder, HostMode mode)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddStateStore();
        services.AddOptions<StateStoreOptions>().Bind(builder.Configuration.GetSection(StateStoreOptions.SectionName));

        if (mode == HostMode.Tool)
        {
            return builder;
        }

        builder.AddSyncAdapters();
        services.AddSyncPeople();
        services.AddSyncEngine();
        builder.AddSyncOwnership(mode);

        // Telemetry first: its providers must listen before the engine measures or traces anything.
        services.AddHostedService<OtlpTelemetry>();
        services.AddHostedService<StartupReport>();
        services.AddHostedService(sp => sp.GetRequiredService<OwnershipService>());
        return builder;
    }

    /// <summary>
    /// The engine: links and policies as configuration says, change detection, polling, the outbox and its relay, applying
    /// changes, and the one home of metrics.
    /// </summary>
    public static IServiceCollection AddSyncEngine(this IServiceCollection services)
    {
        services.AddSingleton<ILinkProvider, ConfiguredLinkProvider>();
        services.AddSingleton<ITargetPolicies, ConfiguredTargetPolicies>();
        services.AddSingleton<IDeletionGuardSettings, ConfiguredDeletionGuard>();
        services.AddSingleton<ChangeDetector>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SystemPause>();
        services.TryAddSingleton<SyncMetrics>(); // the adapters register the same one home of metrics
        services.AddSingleton<ConversationPoller>();
        services.AddSingleton<MarkerKnowledge>();
        services.AddSingleton<ChangeApplier>();
        services.AddSingleton<PollScheduler>();
        services.AddSingleton<RelayHealth>();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<OutboxRelay>();
        services.AddSingleton<PollingService>();
        services.AddSingleton<ChangeFeedService>();
        services.AddSingleton<RetentionService>();
        return services;
    }

    /// <summary>
    /// Several processes: what this one runs is what it holds a lease for (DESIGN.md, "Several processes"). A backfill
    /// takes part too: beside a running worker it gets no lease and only follows; with none running it does only the walks
    /// it was asked for (<see cref="EngineRole"/>). The bus comes with it, since the owner of a target connects that target's apply queue.
    /// </summary>
    public static IHostApplicationBuilder AddSyncOwnership(this IHostApplicationBuilder builder, HostMode mode)
    {
        var services = builder.Services;
        services.AddSingleton(new EngineRole(mode));
        var identity = new ProcessIdentity();
        services.AddSingleton(identity);
        services.AddSingleton<ApplyEndpoints>();
        services.AddSingleton<OwnedWork>();
        services.AddSingleton<OwnershipService>();
        services.AddSingleton<HintForwarder>();
        services.AddSingleton<BackfillRun>();
        builder.AddSyncTransport(identity);
        return builder;
    }
}

/// <summary>Per-target policies from <c>Sync:Targets</c>, current after every valid reload.</summary>
public sealed class ConfiguredTargetPolicies(SyncSettings settings) : ITargetPolicies
{
    public TargetPolicy PolicyFor(SystemId target) => settings.Current.Targets.For(target).ToPolicy();
}

/// <summary>The deletion guard from <c>Sync:Polling</c>, current after every valid reload.</summary>
public sealed class ConfiguredDeletionGuard(SyncSettings settings) : IDeletionGuardSettings
{
    public DeletionGuard Current => settings.Current.Polling.ToDeletionGuard();
}
