using MessageSync.Worker.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Tests;

public sealed class OptionsTests
{
    private readonly SyncOptionsValidator _validator = new();

    [Fact]
    public void Embedded_defaults_are_valid()
    {
        Assert.True(_validator.Validate(null, new SyncOptions()).Succeeded);
    }

    [Fact]
    public void An_invalid_value_is_named_by_its_configuration_key()
    {
        var options = new SyncOptions { RabbitMq = { Port = 70000 }, Polling = { ActiveInterval = TimeSpan.Zero } };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Sync:RabbitMq:Port: '70000'", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Sync:Polling:ActiveInterval: '00:00:00'", StringComparison.Ordinal));
    }

    [Fact]
    public void Retention_and_feed_settings_out_of_range_are_named_by_their_keys()
    {
        var options = new SyncOptions
        {
            Retention = { AppliedChanges = TimeSpan.FromMilliseconds(5), BatchSize = 0, Interval = TimeSpan.Zero },
            Polling = { Feeds = { Interval = TimeSpan.Zero } },
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Sync:Retention:AppliedChanges: '00:00:00.0050000'", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Sync:Retention:BatchSize: '0'", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Sync:Retention:Interval: '00:00:00'", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Sync:Polling:Feeds:Interval: '00:00:00'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_link_must_name_two_systems_and_a_unique_id()
    {
        var options = new SyncOptions
        {
            Links =
            [
                new LinkOptions { Id = "a", PylonIssueId = "iss_1", HelpdeskTicketId = "tkt_1" },
                new LinkOptions { Id = "a", PylonIssueId = "iss_2", CordThreadId = "th_2" },
                new LinkOptions { Id = "lonely", PylonIssueId = "iss_3" },
                new LinkOptions { Id = "bad id!", PylonIssueId = "iss_4", CordThreadId = "th_4" },
            ],
        };

        var failures = _validator.Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Sync:Links:1:Id: 'a' is used by another link", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Sync:Links:2: a link names at least two systems", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Sync:Links:3:Id: 'bad id!'", StringComparison.Ordinal));
        Assert.Equal(3, failures.Count);
    }

    [Fact]
    public void An_invalid_reload_is_refused_and_the_last_good_configuration_stays_in_force()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ms-settings-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "Sync": { "Links": [ { "Id": "one", "PylonIssueId": "iss_1", "CordThreadId": "th_1" } ] } }""");
        try
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build();
            var initial = configuration.GetSection("Sync").Get<SyncOptions>()!;
            using var settings = new SyncSettings(configuration, Microsoft.Extensions.Options.Options.Create(initial), _validator, NullLogger<SyncSettings>.Instance);
            var changes = 0;
            settings.Changed += _ => changes++;

            File.WriteAllText(file, """{ "Sync": { "Links": [ { "Id": "one", "PylonIssueId": "iss_1" } ] } }""");
            configuration.Reload();
            Assert.Equal("th_1", settings.Current.Links.Single().CordThreadId);

            File.WriteAllText(file, """{ "Sync": { "Transport": "Kafka" } }""");
            configuration.Reload();
            Assert.Equal(TransportKind.InMemory, settings.Current.Transport);
            Assert.Single(settings.Current.Links);

            File.WriteAllText(file, """{ "Sync": { "Links": [ { "Id": "two", "HelpdeskTicketId": "tkt_2", "CordThreadId": "th_2" } ] } }""");
            configuration.Reload();
            Assert.Equal("two", settings.Current.Links.Single().Id);
            Assert.Equal(1, changes);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Target_policies_map_to_the_routers_policy()
    {
        var targets = new TargetPoliciesOptions { Cord = { Deletion = Core.Routing.DeletionPolicy.Ignore, Edits = Core.Routing.EditPolicy.Ignore, PreferSoftDelete = false } };

        var policy = targets.For(Core.Model.SystemId.Cord).ToPolicy();

        Assert.Equal(Core.Routing.DeletionPolicy.Ignore, policy.Deletion);
        Assert.Equal(Core.Routing.EditPolicy.Ignore, policy.Edits);
        Assert.False(policy.PreferSoftDelete);
        Assert.Equal(Core.Routing.DeletionPolicy.Delete, targets.For(Core.Model.SystemId.Pylon).ToPolicy().Deletion);
    }
}
