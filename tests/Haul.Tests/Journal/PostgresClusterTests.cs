using Haul.Testing;
using Npgsql;

namespace Haul.Tests.Journal;

/// <summary>The private cluster the PostgreSQL tests share: on loopback only, a fresh database for each asker.</summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresClusterTests(PostgresCluster cluster)
{
    [Fact]
    public async Task CreatedDatabase_IsEmptyAndServedOnLoopbackOnly()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT host(inet_server_addr()), current_setting('listen_addresses'), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public');",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        Assert.Equal(("127.0.0.1", "127.0.0.1", 0L), (reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        Assert.NotEqual(connectionString, await cluster.CreateDatabaseAsync());
    }
}
