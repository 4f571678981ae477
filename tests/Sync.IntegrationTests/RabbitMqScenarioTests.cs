namespace MessageSync.IntegrationTests;

/// <summary>
/// The main scenario on a real RabbitMQ broker: the private one <c>scripts/test.sh</c> starts and names in
/// <c>SYNC_TEST_RABBITMQ</c>. Without it these tests fail (never skip): a green run must have exercised the broker.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqScenarioTests
{
    [Fact]
    public async Task Messages_of_every_kind_reach_every_other_system_exactly_once_on_RabbitMQ()
    {
        await using var harness = await SyncHarness.StartAsync();
        await harness.StartWorkerAsync(RabbitMqBroker.Settings());

        await Scenario.RunEveryKindAsync(harness);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RabbitMqCollection
{
    public const string Name = "RabbitMQ broker";
}

public static class RabbitMqBroker
{
    public const string Variable = "SYNC_TEST_RABBITMQ";

    /// <summary>The worker settings that point it at the test broker.</summary>
    public static string[] Settings()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        Assert.False(string.IsNullOrWhiteSpace(value), $"{Variable} is not set: run the tests through scripts/test.sh, which starts a private RabbitMQ broker.");
        return Settings(new Uri(value));
    }

    /// <summary>The worker settings that point it at the broker of an amqp:// URL.</summary>
    public static string[] Settings(Uri amqp)
    {
        var credentials = amqp.UserInfo.Split(':', 2);
        return
        [
            "Sync:Transport=RabbitMQ",
            $"Sync:RabbitMq:Host={amqp.Host}",
            $"Sync:RabbitMq:Port={amqp.Port}",
            $"Sync:RabbitMq:Username={Uri.UnescapeDataString(credentials[0])}",
            $"Sync:RabbitMq:Password={Uri.UnescapeDataString(credentials.ElementAtOrDefault(1) ?? "")}",
        ];
    }
}
