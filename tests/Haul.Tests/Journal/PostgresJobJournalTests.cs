using System.Diagnostics;
using Haul.Input;
using Haul.Journal;
using Haul.Journal.Postgres;
using Haul.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Haul.Tests.Journal;

/// <summary>
/// The journal contract against the PostgreSQL journal (a database of its own for each test, in the private cluster;
/// each folder of a test is a job of that database), and what only a shared journal does: many jobs in one database,
/// several journals on one job.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresJobJournalTests(PostgresCluster cluster, ITestOutputHelper output) : JobJournalContract
{
    private string _connectionString = string.Empty;

    public override async Task InitializeAsync() => _connectionString = await cluster.CreateDatabaseAsync();

    private protected override async Task<IJobJournal> OpenAsync(TempFolder folder, TimeProvider? time = null) =>
        await PostgresJobJournal.OpenAsync(_connectionString, folder.Path, time ?? TimeProvider.System, None);

    [Fact]
    public async Task TwoJobsInOneDatabase_KeepTheirOwnItemsAndPaths()
    {
        await using var first = await PostgresJobJournal.OpenAsync(_connectionString, "first", TimeProvider.System, None);
        await using var second = await PostgresJobJournal.OpenAsync(_connectionString, "second", TimeProvider.System, None);

        var a = Assert.Single((await first.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"))], None)).Items);
        var b = Assert.Single((await second.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"))], None)).Items);

        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(a.OutputPath, b.OutputPath);
        Assert.NotEqual(first.JobId, second.JobId);
        Assert.Single(await first.ReadItemsAsync(None));
        Assert.Empty(await first.ClaimAsync(new JournalClaim("x", "example.com", a.Id, 10, long.MaxValue / 2), None));
    }

    [Fact]
    public async Task SchemaCreatedOnceByWorkersStartingTogether()
    {
        var journals = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostgresJobJournal.OpenAsync(_connectionString, "job", TimeProvider.System, None)));
        try
        {
            Assert.Single(journals.Select(j => j.JobId).Distinct());
            Assert.Equal(6, journals.Select(j => j.Run).Distinct().Count());
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM haul_schema;", connection);
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }
        finally
        {
            foreach (var journal in journals)
            {
                await journal.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ADatabaseOfVersion2_IsMovedToVersion3_KeepingItsJobs()
    {
        long jobId;
        await using (var journal = await PostgresJobJournal.OpenAsync(_connectionString, "old", TimeProvider.System, None))
        {
            jobId = journal.JobId;
            await journal.AddAsync([new DownloadRequest(new Uri("http://example.com/kept.jpg"))], None);
        }

        // What version 2 had: none of version 3's columns and tables.
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var downgrade = new NpgsqlCommand(
                """
                ALTER TABLE jobs DROP COLUMN kind; ALTER TABLE jobs DROP COLUMN crawl; ALTER TABLE jobs DROP COLUMN pages_admitted; ALTER TABLE items DROP COLUMN admitted;
                ALTER TABLE workers DROP COLUMN lease_ms; ALTER TABLE hosts DROP COLUMN probes_left; ALTER TABLE hosts DROP COLUMN noise_shown;
                DROP TABLE robots; DROP INDEX items_start_pages; UPDATE haul_schema SET version = 2;
                """,
                connection);
            await downgrade.ExecuteNonQueryAsync();
        }

        await using var reopened = await PostgresJobJournal.OpenAsync(_connectionString, "old", TimeProvider.System, None);

        Assert.Equal(jobId, reopened.JobId);
        Assert.Equal("http://example.com/kept.jpg", Assert.Single(await reopened.ReadItemsAsync(None)).Url);
        Assert.Equal(new JobDefinition(JobKind.List), await reopened.ReadDefinitionAsync(None));
        await reopened.SaveRobotsAsync("http://example.com", "User-agent: *\nDisallow: /x\n"u8.ToArray(), None);
        Assert.Equal("User-agent: *\nDisallow: /x\n"u8.ToArray(), await reopened.ReadRobotsAsync("http://example.com", TimeSpan.FromHours(1), None));
        Assert.Null(await reopened.ReadRobotsAsync("http://example.com", TimeSpan.Zero, None));
        await using var check = new NpgsqlConnection(_connectionString);
        await check.OpenAsync();
        await using var index = new NpgsqlCommand("SELECT to_regclass('items_start_pages') IS NOT NULL;", check);
        Assert.True((bool)(await index.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task TwoJournalsOnOneJob_ClaimingConcurrently_NeverGetTheSameItem()
    {
        const int Count = 2000;
        await using var one = await PostgresJobJournal.OpenAsync(_connectionString, "shared", TimeProvider.System, None);
        await using var two = await PostgresJobJournal.OpenAsync(_connectionString, "shared", TimeProvider.System, None);
        var requests = Enumerable.Range(0, Count).Select(i => new DownloadRequest(new Uri($"http://host{i % 4}.example/{i}.jpg"))).ToList();
        var ids = (await one.AddAsync(requests, None)).Items.Select(i => i.Id).ToList();
        var until = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() + 600_000;

        var watch = Stopwatch.StartNew();
        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            var journal = worker % 2 == 0 ? one : two;
            var mine = new List<(long Id, long Token)>();
            var calls = 0;
            for (var host = 0; host < 4; host++)
            {
                while (true)
                {
                    var batch = await journal.ClaimAsync(new JournalClaim($"worker-{worker}", $"host{(host + worker) % 4}.example", 0, 5, until), None);
                    calls++;
                    if (batch.Count == 0)
                    {
                        break;
                    }

                    mine.AddRange(batch.Select(i => (i.Id, i.LeaseToken)));
                }
            }

            return (Items: mine, Calls: calls);
        })));
        watch.Stop();

        var all = claims.SelectMany(c => c.Items).Select(c => c.Id).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(ids.Order(), all.Order());
        Assert.All(claims.SelectMany(c => c.Items), c => Assert.Equal(1, c.Token));
        Assert.True(claims.Count(c => c.Items.Count > 0) > 8, "most workers got a share");
        var calls = claims.Sum(c => c.Calls);
        output.WriteLine($"claims: {calls} calls, {Count} items in {watch.ElapsedMilliseconds} ms: {calls * 1000.0 / watch.ElapsedMilliseconds:F0} claims/s, {Count * 1000.0 / watch.ElapsedMilliseconds:F0} items/s");
    }

    [Fact]
    public async Task BatchOf5000Urls_AddedInOneTransaction_AndAgainAsAResume()
    {
        const int Count = 5000;
        await using var journal = await PostgresJobJournal.OpenAsync(_connectionString, "big", TimeProvider.System, None);
        var requests = Enumerable.Range(0, Count).Select(i => new DownloadRequest(new Uri($"http://host{i % 50}.example/dir{i % 7}/{i}.jpg"), Source: $"list.txt:{i + 1}")).ToList();

        var watch = Stopwatch.StartNew();
        var added = await journal.AddAsync(requests, None);
        var first = watch.ElapsedMilliseconds;
        watch.Restart();
        await using var rerun = await PostgresJobJournal.OpenAsync(_connectionString, "big", TimeProvider.System, None);
        var again = await rerun.AddAsync(requests, None);
        var second = watch.ElapsedMilliseconds;

        Assert.Equal(Count, added.Inserted);
        Assert.Equal(Count, added.Items.Select(i => i.OutputPath).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(0, again.Inserted);
        Assert.Equal(added.Items.Select(i => (i.Id, i.OutputPath)), again.Items.Select(i => (i.Id, i.OutputPath)));
        Assert.Equal(Count, (await rerun.ReadCountsAsync(None)).Items(ItemState.Pending));
        watch.Restart();
        var hosts = await rerun.ReadHostsWithWorkAsync(100, new HashSet<string>(), None);
        var hostsRead = watch.ElapsedMilliseconds;
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"host{i}.example").Order(StringComparer.Ordinal), hosts.Select(h => h.Host));
        output.WriteLine($"add {Count} new URLs: {first} ms ({Count * 1000.0 / Math.Max(1, first):F0}/s); the same again on a rerun: {second} ms; 50 hosts with work read in {hostsRead} ms");
    }
}
