using Haul.Input;
using Haul.Journal;
using Haul.Journal.Postgres;
using Haul.Testing;
using Npgsql;

namespace Haul.Tests.Journal;

/// <summary>
/// What <c>haul verify</c> does to a shared job's journal: it opens an existing job without joining it, starting a run
/// or creating tables, reads the done items one folder holds, and puts back to pending only those still done, held by
/// that folder and unchanged since they were read.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresVerifyTests(PostgresCluster cluster)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Reopening_changes_only_items_still_done_held_by_the_folder_and_unchanged()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var first = await PostgresJobJournal.OpenAsync(database, "cats", TimeProvider.System, None);
        await using var second = await PostgresJobJournal.OpenAsync(database, "cats", TimeProvider.System, None);
        var added = (await first.AddAsync(Enumerable.Range(1, 5).Select(n => new DownloadRequest(new Uri($"http://example.com/{n}.jpg"))).ToList(), None)).Items;
        await first.JoinAsync("one", "m:/a", None);
        await second.JoinAsync("two", "m:/b", None);
        var claimed = (await first.ClaimAsync(new JournalClaim("one", "example.com", 0, 10, long.MaxValue / 2), None)).ToDictionary(i => i.Url);
        Assert.Equal(5, claimed.Count);
        JournalItem Claimed(int n) => claimed[$"http://example.com/{n}.jpg"];

        // 1 and 2 done into this folder (m:/a); 3 done into another (m:/b, after its claim expired and the other worker took
        // it); 4 in progress under this worker's claim, held by this folder from an earlier finish (as a reopened item is);
        // 5 done here, then fetched again with another SHA-256 while verify checked it.
        Assert.True(await first.FinishAsync(new ItemDone(Claimed(1).Id, 10, "aa", LeaseToken: Claimed(1).LeaseToken), None));
        Assert.True(await first.FinishAsync(new ItemDone(Claimed(2).Id, 10, "bb", LeaseToken: Claimed(2).LeaseToken), None));
        await first.CommitAsync(new ItemStarted(Claimed(4).Id, Claimed(4).LeaseToken), None);
        await ExecuteAsync(database, $"UPDATE items SET holder = 'm:/a', sha256 = 'dd' WHERE id = {Claimed(4).Id};");
        Assert.True(await first.FinishAsync(new ItemDone(Claimed(5).Id, 10, "ee", LeaseToken: Claimed(5).LeaseToken), None));
        await ExecuteAsync(database, $"UPDATE items SET lease_until = now() - interval '1 second' WHERE id = {Claimed(3).Id};");
        var taken = Assert.Single(await second.ClaimAsync(new JournalClaim("two", "example.com", Claimed(2).Id, 1, long.MaxValue / 2), None));
        Assert.Equal(Claimed(3).Id, taken.Id);
        Assert.True(await second.FinishAsync(new ItemDone(taken.Id, 10, "cc", LeaseToken: taken.LeaseToken), None));
        var workers = await ScalarAsync(database, "SELECT count(*) FROM workers;");
        var runs = await ScalarAsync(database, "SELECT count(*) FROM runs;");

        await using var verifier = await PostgresJobJournal.OpenExistingAsync(database, "cats", TimeProvider.System, None);
        var held = await verifier.ReadHeldItemsAsync("m:/a", None).ToListAsync();
        var stale = held.Single(i => i.Id == Claimed(5).Id);
        await ExecuteAsync(database, $"UPDATE items SET sha256 = 'e2' WHERE id = {stale.Id};");
        var reopened = await verifier.ReopenHeldAsync(
            [held.Single(i => i.Id == Claimed(1).Id), stale, taken with { Sha256 = "cc" }, Claimed(4) with { Sha256 = "dd" }], "m:/a", None);

        Assert.Equal([Claimed(1).Id, Claimed(2).Id, Claimed(5).Id], held.Select(i => i.Id));
        Assert.Equal(1, reopened);
        var states = await StatesAsync(database);
        Assert.Equal(0, states[Claimed(1).Id].State);
        Assert.Null(states[Claimed(1).Id].LeaseOwner);
        Assert.Equal(2, states[Claimed(2).Id].State);
        Assert.Equal(2, states[Claimed(3).Id].State);
        Assert.Equal((1, "one"), states[Claimed(4).Id]);
        Assert.Equal(2, states[Claimed(5).Id].State);
        Assert.Equal(workers, await ScalarAsync(database, "SELECT count(*) FROM workers;"));
        Assert.Equal(runs, await ScalarAsync(database, "SELECT count(*) FROM runs;"));

        // The item is any worker's again.
        var again = Assert.Single(await second.ClaimAsync(new JournalClaim("two", "example.com", 0, 10, long.MaxValue / 2), None));
        Assert.Equal(Claimed(1).Id, again.Id);
    }

    [Fact]
    public async Task Opening_an_existing_job_creates_nothing_in_an_empty_database_and_no_job()
    {
        var empty = await cluster.CreateDatabaseAsync();
        var database = await cluster.CreateDatabaseAsync();
        await (await PostgresJobJournal.OpenAsync(database, "cats", TimeProvider.System, None)).DisposeAsync();
        var runs = await ScalarAsync(database, "SELECT count(*) FROM runs;");

        var noTables = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresJobJournal.OpenExistingAsync(empty, "cats", TimeProvider.System, None));
        await Assert.ThrowsAsync<JournalJobNotFoundException>(() => PostgresJobJournal.OpenExistingAsync(database, "dogs", TimeProvider.System, None));
        await using (var cats = await PostgresJobJournal.OpenExistingAsync(database, "cats", TimeProvider.System, None))
        {
            Assert.Null(cats.Holder);
        }

        Assert.Contains("no Haul tables", noTables.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public';"));
        Assert.Equal(0L, await ScalarAsync(database, "SELECT count(*) FROM jobs WHERE name = 'dogs';"));
        Assert.Equal(runs, await ScalarAsync(database, "SELECT count(*) FROM runs;"));
    }

    private static async Task<Dictionary<long, (int State, string? LeaseOwner)>> StatesAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, state, lease_owner FROM items;", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var states = new Dictionary<long, (int, string?)>();
        while (await reader.ReadAsync())
        {
            states[reader.GetInt64(0)] = (reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }

        return states;
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
