using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MessageSync.Core.State;

public static class StateStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteStateStore"/> as the singleton <see cref="IStateStore"/>, with <see cref="StateStoreOptions"/>
    /// validated at start. The host binds the options to <see cref="StateStoreOptions.SectionName"/>.
    /// </summary>
    public static IServiceCollection AddSqliteStateStore(this IServiceCollection services, Action<StateStoreOptions>? configure = null)
    {
        var options = services.AddOptions<StateStoreOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SqliteStateStore>();
        services.TryAddSingleton<IStateStore>(sp => sp.GetRequiredService<SqliteStateStore>());
        return services;
    }
}
