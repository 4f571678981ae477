using MessageSync.Adapters.Cord;
using MessageSync.Adapters.Helpdesk;
using MessageSync.Adapters.Pylon;
using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Options;

public static class OptionsRegistration
{
    /// <summary>
    /// Binds and validates the <c>Sync</c> section at start; <see cref="SyncSettings"/> keeps it current on reload. Also the
    /// checks the adapters' own validators do not make: secret files readable, links naming configured systems.
    /// </summary>
    public static IHostApplicationBuilder AddSyncOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(ConfiguredSystems.From(builder.Configuration));
        builder.Services.AddSingleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<PylonOptions>>(new SecretFilesValidator<PylonOptions>(PylonOptions.SectionName));
        builder.Services.AddSingleton<IValidateOptions<HelpdeskOptions>>(new SecretFilesValidator<HelpdeskOptions>(HelpdeskOptions.SectionName));
        builder.Services.AddSingleton<IValidateOptions<CordOptions>>(new SecretFilesValidator<CordOptions>(CordOptions.SectionName));
        builder.Services.AddOptions<SyncOptions>()
            .Bind(builder.Configuration.GetSection(SyncOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<SyncSettings>();
        return builder;
    }
}
