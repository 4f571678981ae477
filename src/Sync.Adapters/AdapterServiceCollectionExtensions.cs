using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Helpdesk;
using MessageSync.Adapters.Http;
using MessageSync.Adapters.People;
using MessageSync.Adapters.Pylon;
using MessageSync.Adapters.Webhooks;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters;

/// <summary>
/// Registers the adapters: options bound and validated at start, one typed <see cref="HttpClient"/> per system with the
/// handler pipeline (retry -> budget -> auth -> attempt timeout -> logging), the adapter as <see cref="IMessageSystem"/>,
/// the system's webhook verifier, and its change feed where the API has one (<see cref="IChangeFeed"/>: Pylon, Cord).
/// </summary>
public static class AdapterServiceCollectionExtensions
{
    /// <summary>Every system whose section (<c>Sync:Pylon</c>, <c>Sync:Helpdesk</c>, <c>Sync:Cord</c>) is present.</summary>
    public static IServiceCollection AddSyncAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        var pylon = configuration.GetSection(PylonOptions.SectionName);
        var helpdesk = configuration.GetSection(HelpdeskOptions.SectionName);
        var cord = configuration.GetSection(CordOptions.SectionName);
        if (pylon.Exists())
        {
            services.AddPylonAdapter(pylon);
        }

        if (helpdesk.Exists())
        {
            services.AddHelpdeskAdapter(helpdesk);
        }

        if (cord.Exists())
        {
            services.AddCordAdapter(cord);
        }

        return services;
    }

    public static IHostApplicationBuilder AddSyncAdapters(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSyncAdapters(builder.Configuration);
        return builder;
    }

    public static IHostApplicationBuilder AddPylonAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddPylonAdapter(builder.Configuration.GetSection(PylonOptions.SectionName));
        return builder;
    }

    public static IHostApplicationBuilder AddHelpdeskAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHelpdeskAdapter(builder.Configuration.GetSection(HelpdeskOptions.SectionName));
        return builder;
    }

    public static IHostApplicationBuilder AddCordAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCordAdapter(builder.Configuration.GetSection(CordOptions.SectionName));
        return builder;
    }

    public static IServiceCollection AddPylonAdapter(this IServiceCollection services, IConfiguration section) =>
        services.AddAdapter<PylonOptions, PylonOptionsValidator, PylonClient, PylonAdapter>(section, SystemId.Pylon,
            (sp, o) => new SecretSource(o.ApiToken, o.ApiTokenFile, sp.GetRequiredService<TimeProvider>()),
            (sp, o) => new HmacWebhookVerifier(SystemId.Pylon, o.ToSigning(), sp.GetRequiredService<TimeProvider>()))
            .AddSingleton<IChangeFeed, PylonChangeFeed>();

    public static IServiceCollection AddHelpdeskAdapter(this IServiceCollection services, IConfiguration section) =>
        // A 401 is an expired session: the token source re-reads the file at once, so a renewed token is used by the next call.
        services.AddAdapter<HelpdeskOptions, HelpdeskOptionsValidator, HelpdeskClient, HelpdeskAdapter>(section, SystemId.Helpdesk,
            (sp, o) => new SecretSource(o.SessionToken, o.SessionTokenFile, sp.GetRequiredService<TimeProvider>()),
            (sp, o) => new HmacWebhookVerifier(SystemId.Helpdesk, o.ToSigning(), sp.GetRequiredService<TimeProvider>()));

    public static IServiceCollection AddCordAdapter(this IServiceCollection services, IConfiguration section) =>
        // Cord's bearer token is minted from the application secret and renewed before it expires (CordTokenProvider).
        services.AddAdapter<CordOptions, CordOptionsValidator, CordClient, CordAdapter>(section, SystemId.Cord,
            (sp, _) => new CordTokenProvider(sp.GetRequiredService<IOptions<CordOptions>>(), sp.GetRequiredService<TimeProvider>()),
            (sp, _) => new CordWebhookVerifier(sp.GetRequiredService<IOptions<CordOptions>>(), sp.GetRequiredService<TimeProvider>()))
            .AddSingleton<IChangeFeed, CordChangeFeed>();

    // The helpdesk registers no IChangeFeed: api-docs 002 lists messages per ticket only (GET /helpdesk/api/messages
    // needs ticket_id) and documents no list of tickets or of recent messages, so its tickets are polled one by one.

    /// <summary>
    /// One system's adapter, the same way for all three: options bound and validated at start, the shared services, the
    /// system's bearer token source (keyed by system), its typed client behind the shared handler pipeline, the adapter as
    /// <see cref="IMessageSystem"/>, and its webhook verifier.
    /// </summary>
    private static IServiceCollection AddAdapter<TOptions, TValidator, TClient, TAdapter>(
        this IServiceCollection services, IConfiguration section, SystemId system,
        Func<IServiceProvider, TOptions, ITokenSource> tokens, Func<IServiceProvider, TOptions, IWebhookVerifier> webhooks)
        where TOptions : HttpPolicyOptions
        where TValidator : class, IValidateOptions<TOptions>
        where TClient : class
        where TAdapter : class, IMessageSystem
    {
        services.AddOptions<TOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SyncMetrics>();
        // Sync:People comes from the worker's configuration (it registers its own source); alone, the legacy maps.
        services.TryAddSingleton<IPeopleSource>(PeopleSource.LegacyOnly);
        services.TryAddKeyedSingleton(system, (sp, _) =>
        {
            var o = sp.GetRequiredService<IOptions<TOptions>>().Value;
            return new RateBudget(o.Budgets, o.BudgetScale, o.BudgetBurst, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddKeyedSingleton(system, (sp, _) => tokens(sp, sp.GetRequiredService<IOptions<TOptions>>().Value));
        services.AddHttpClient<TClient>().AddSyncPipeline<TOptions>(system);
        services.TryAddSingleton<TAdapter>();
        services.AddSingleton<IMessageSystem>(sp => sp.GetRequiredService<TAdapter>());
        services.AddSingleton(sp => webhooks(sp, sp.GetRequiredService<IOptions<TOptions>>().Value));
        return services;
    }

    /// <summary>The shared handler pipeline, outermost first. The adapters are singletons holding their typed client, so
    /// the primary handler recycles pooled connections itself (DNS changes are still seen).</summary>
    private static IHttpClientBuilder AddSyncPipeline<TOptions>(this IHttpClientBuilder builder, SystemId system)
        where TOptions : HttpPolicyOptions
    {
        builder.ConfigureHttpClient((sp, http) =>
        {
            var o = sp.GetRequiredService<IOptions<TOptions>>().Value;
            http.BaseAddress = new Uri(o.BaseUrl.TrimEnd('/') + "/");
            // Per-attempt timeouts and the caller's token bound every call; the client-wide timeout would also count budget waits.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });
        builder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

        // LoggingHandler below logs each call (system, method, masked path and query, status; never a header): the factory's own two
        // logging handlers only added a scope and two level checks to every request (issue 13's profile), and would log
        // the full request URI at Information were System.Net.Http.HttpClient not held at Warning.
        builder.RemoveAllLoggers();
        builder.AddHttpMessageHandler(sp => new ResilienceHandler(system, sp.GetRequiredService<IOptions<TOptions>>().Value,
            sp.GetRequiredService<SyncMetrics>(), sp.GetRequiredService<TimeProvider>()));
        builder.AddHttpMessageHandler(sp => new RateLimitHandler(system, sp.GetRequiredKeyedService<RateBudget>(system), sp.GetRequiredService<SyncMetrics>()));
        builder.AddHttpMessageHandler(sp =>
        {
            var token = sp.GetRequiredKeyedService<ITokenSource>(system);
            return new BearerAuthHandler(system, token.Current, token.Invalidate);
        });
        builder.AddHttpMessageHandler(sp => new AttemptTimeoutHandler(sp.GetRequiredService<IOptions<TOptions>>().Value.AttemptTimeout, sp.GetRequiredService<TimeProvider>()));
        builder.AddHttpMessageHandler(sp => new LoggingHandler(system, sp.GetRequiredService<ILogger<LoggingHandler>>()));
        return builder;
    }
}
