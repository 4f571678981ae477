namespace MessageSync.Core.Tests.State;

/// <summary>The store contract on PostgreSQL (a database of its own per test on the server in <c>SYNC_TEST_POSTGRES</c>).</summary>
public sealed class PostgresStateStoreTests() : StateStoreContractTests(new PostgresTestDatabase());
