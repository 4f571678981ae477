namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// The chaos scenarios run one at a time, after the parallel tests (xunit runs non-parallel collections last): each is a
/// real worker process under load on a 2-core machine, and two at once would measure each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection : ICollectionFixture<ChaosBroker>
{
    public const string Name = "Chaos";
}
