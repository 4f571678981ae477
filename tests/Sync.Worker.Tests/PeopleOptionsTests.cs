using MessageSync.Adapters.People;
using MessageSync.Core.Model;
using MessageSync.Worker.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Tests;

public sealed class PeopleOptionsTests
{
    private readonly SyncOptionsValidator _validator = new();

    [Fact]
    public void Sync_people_binds_from_configuration_as_the_readme_shows_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sync:People:0:Name"] = "Ana Ruiz",
            ["Sync:People:0:Email"] = "ana@example.com",
            ["Sync:People:0:PylonContactId"] = "contact_ana",
            ["Sync:People:0:HelpdeskAuthorId"] = "customer_1",
            ["Sync:People:1:Name"] = "Dana Agent",
            ["Sync:People:1:PylonUserId"] = "usr_dana",
            ["Sync:People:1:CordUserId"] = " cord_dana ",
        }).Build();

        var options = configuration.GetSection("Sync").Get<SyncOptions>()!;

        Assert.True(_validator.Validate(null, options).Succeeded);
        Assert.Equal(new Person { Name = "Ana Ruiz", Email = "ana@example.com", PylonContactId = "contact_ana", HelpdeskAuthorId = "customer_1" }, options.People[0]);
        Assert.Equal("cord_dana", PeopleDirectory.Normalized(options.People[1]).CordUserId);
    }

    [Fact]
    public void An_entry_with_no_id_a_bad_e_mail_or_an_id_another_entry_claims_is_refused_by_its_key()
    {
        var options = new SyncOptions
        {
            People =
            [
                new Person { Name = "Ana", Email = "ana@example.com", HelpdeskAuthorId = "customer_1" },
                new Person { Name = "Nobody" },
                new Person { Name = "Bad", Email = "not an address" },
                new Person { Name = "Twin", Email = "ANA@example.com", HelpdeskAuthorId = "customer_1", CordUserId = "cord_twin" },
            ],
        };

        var failures = _validator.Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Sync:People:1: a person needs at least one of", StringComparison.Ordinal));
        Assert.Contains(failures, f => f == "Sync:People:2:Email: 'not an address' is not an e-mail address");
        Assert.Contains(failures, f => f == "Sync:People:3:Email: 'ANA@example.com' is already given to Sync:People:0");
        Assert.Contains(failures, f => f == "Sync:People:3:HelpdeskAuthorId: 'customer_1' is already given to Sync:People:0");
        Assert.Equal(4, failures.Count);
    }

    [Fact]
    public void The_adapters_read_the_people_in_force_after_a_reload()
    {
        var settings = new Dictionary<string, string?> { ["Sync:People:0:HelpdeskAuthorId"] = "customer_1", ["Sync:People:0:PylonContactId"] = "contact_1" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddSingleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>()
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(configuration.GetSection("Sync").Get<SyncOptions>()!))
            .AddSingleton<SyncSettings>()
            .AddSyncPeople();
        using var sp = services.BuildServiceProvider();
        var people = sp.GetRequiredService<IPeopleSource>();
        var message = new CanonicalMessage
        {
            Id = Guid.NewGuid(), LinkId = "l", Origin = new MessageOrigin(SystemId.Helpdesk, "h1"), Author = new Author("customer_1", ExternalId: "customer_1", IsCustomer: true),
            Kind = MessageKind.CustomerMessage, BodyHtml = "", BodyText = "", CreatedAt = DateTimeOffset.UnixEpoch,
        };
        Assert.Equal("contact_1", people.Current.AuthorOf(message)?.PylonContactId);

        configuration["Sync:People:0:PylonContactId"] = "contact_2";
        Assert.True(sp.GetRequiredService<SyncSettings>().Reload());

        Assert.Equal("contact_2", people.Current.AuthorOf(message)?.PylonContactId);
    }
}
