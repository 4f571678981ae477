using Dapper;
using MessageSync.Core.Model;
using MessageSync.Core.State;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>
/// Lookups the verifier needs and the product does not (the store's port has no reverse lookup by external id): plain
/// SQL over the store's own connection, valid on both engines.
/// </summary>
internal static class StoreLookups
{
    private const string FindCanonicalSql = """
        SELECT canonical_id FROM messages WHERE origin_system = @System AND origin_external_id = @ExternalId;
        """;

    /// <summary>The canonical id of the message first written in <paramref name="system"/> as <paramref name="externalId"/>.</summary>
    public static async Task<Guid?> FindCanonicalByExternalAsync(this IStateStore store, SystemId system, string externalId, CancellationToken cancellationToken = default)
    {
        var dialect = (store as StateStore ?? throw new ArgumentException("The lookup needs the SQL state store.", nameof(store))).Dialect;
        await using var connection = await dialect.OpenAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            FindCanonicalSql, new { System = system.ToString().ToLowerInvariant(), ExternalId = externalId }, cancellationToken: cancellationToken));
        return id is null ? null : Guid.Parse(id);
    }
}
