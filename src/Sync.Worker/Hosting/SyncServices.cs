using MessageSync.Adapters;
using MessageSync.Core.Detection;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using MessageSync.Worker.Engine;
using MessageSync.Worker.Http;
using MessageSync.Worker.Options;
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
        services.AddSingleton<ILinkProvider, ConfiguredLinkProvider>();
        services.AddSingleton<ITargetPolicies, ConfiguredTargetPolicies>();
        services.AddSingleton<ChangeDetector>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SystemPause>();
        services.TryAddSingleton<SyncMetrics>(); // the adapters register the same one home of metrics
        services.AddSingleton<ConversationPoller>();
        services.AddSingleton<ChangeApplier>();
        services.AddSingleton<PollScheduler>();
        services.AddSingleton<RelayHealth>();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<OutboxRelay>();
        builder.AddSyncTransport();

        // Telemetry first: its providers must listen before the engine measures or traces anything.
        services.AddHostedService<OtlpTelemetry>();
        services.AddHostedService<StartupReport>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        if (mode == HostMode.Run || mode == HostMode.Check)
        {
            // Check registers what run does, so validation is the same; it never starts the host.
            services.AddHostedService<PollingService>();
        }

        return builder;
    }
}

/// <summary>Per-target policies from <c>Sync:Targets</c>, current after every valid reload.</summary>
public sealed class ConfiguredTargetPolicies(SyncSettings settings) : ITargetPolicies
{
    public TargetPolicy For(SystemId target) => settings.Current.Targets.For(target).ToPolicy();
}
