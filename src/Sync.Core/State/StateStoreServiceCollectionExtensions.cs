using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MessageSync.Core.State;

public static class StateStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the singleton <see cref="IStateStore"/> on the engine <see cref="StateStoreOptions.Provider"/> names, with
    /// <see cref="StateStoreOptions"/> validated at start. The host binds the options to <see cref="StateStoreOptions.SectionName"/>.
    /// </summary>
    public static IServiceCollection AddStateStore(this IServiceCollection services, Action<StateStoreOptions>? configure = null)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StateStoreOptions>, StateStoreOptionsValidator>());
        var options = services.AddOptions<StateStoreOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new StateStore(
            CreateDialect(sp.GetRequiredService<IOptions<StateStoreOptions>>().Value), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<StateStore>>()));
        services.TryAddSingleton<IStateStore>(sp => sp.GetRequiredService<StateStore>());
        return services;
    }

    /// <summary>The dialect for validated options.</summary>
    public static StateDialect CreateDialect(StateStoreOptions options) => options.Provider switch
    {
        StateProvider.Postgres => new PostgresDialect(StateStoreOptionsValidator.PostgresConnectionString(options)),
        _ => new SqliteDialect(options.Path, options.BusyTimeout),
    };
}
