using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Options;

public static class OptionsRegistration
{
    /// <summary>Binds and validates the <c>Sync</c> section at start; <see cref="SyncSettings"/> keeps it current on reload.</summary>
    public static IHostApplicationBuilder AddSyncOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>();
        builder.Services.AddOptions<SyncOptions>()
            .Bind(builder.Configuration.GetSection(SyncOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<SyncSettings>();
        return builder;
    }
}
