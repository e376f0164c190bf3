using Haul.Engine;
using Haul.Input;
using Haul.Journal;
using Haul.Journal.Postgres;
using Haul.Testing;
using Haul.TestServer;

namespace Haul.Tests.Engine;

/// <summary>
/// Workers of one shared job, in one process against a real PostgreSQL: a dead worker's items are taken soon after
/// their leases expire, and the workers share each host's connections.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class SharedJobWorkersTests(PostgresCluster cluster)
{
    [Fact]
    public async Task The_items_of_a_dead_worker_are_taken_soon_after_their_lease_expires_not_when_the_host_runs_dry()
    {
        const int files = 120;
        const int dead = 5;
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 77, FileCount = files });
        var journalUri = await cluster.CreateDatabaseAsync();
        using var output = new TempFolder();
        var host = UrlNormalizer.HostKey(server.FileUrls.First());

        // A worker that died: it claimed the host's first items for two seconds and was never heard of again.
        await using (var journal = await PostgresJobJournal.OpenAsync(journalUri, "job", TimeProvider.System, CancellationToken.None))
        {
            await journal.AddAsync([.. server.FileUrls.Select(u => new DownloadRequest(u))], CancellationToken.None);
            var until = TimeProvider.System.GetUtcNow().AddSeconds(2).ToUnixTimeMilliseconds();
            Assert.Equal(dead, (await journal.ClaimAsync(new JournalClaim("dead", host, 0, dead, until), CancellationToken.None)).Count);
        }

        // The living worker is held to 30 requests a second, so the host's queue lasts about four seconds.
        var options = TestSupport.FastOptions(output.Path) with
        {
            MaxRequestsPerSecond = 30,
            SharedJob = new SharedJob { Journal = journalUri, Name = "job", Lease = TimeSpan.FromSeconds(2), MustExist = true },
        };
        var report = await DownloadJob.RunAsync(options, TestSupport.Batch([]));

        Assert.Equal(files, report.Done);
        var order = server.Counters.Log.Where(r => r.Status == 200).Select(r => r.Path).Distinct().ToList();
        var deadPaths = server.FileUrls.Take(dead).Select(u => u.AbsolutePath).ToList();
        Assert.All(deadPaths, p => Assert.Contains(p, order));
        var latest = deadPaths.Max(order.IndexOf);
        Assert.True(latest < files * 3 / 4, $"the dead worker's last item was the {latest + 1}th of {order.Count} fetched: taken only when the host ran dry");
    }

    [Fact]
    public async Task A_worker_that_ends_removes_the_part_files_of_finished_items_and_keeps_the_others()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 79, FileCount = 20 });
        var journalUri = await cluster.CreateDatabaseAsync();
        using var output = new TempFolder();
        IReadOnlyList<JournalItem> items;
        await using (var journal = await PostgresJobJournal.OpenAsync(journalUri, "job", TimeProvider.System, CancellationToken.None))
        {
            items = (await journal.AddAsync([.. server.FileUrls.Select(u => new DownloadRequest(u))], CancellationToken.None)).Items;
        }

        // Parts of earlier claims (lost past a lease, given back at a stop) that the claims finishing the items did not
        // use, and one of an item the job does not have.
        var parts = Path.Combine(output.Path, ".haul", "parts");
        Directory.CreateDirectory(parts);
        foreach (var item in items)
        {
            await File.WriteAllTextAsync(Path.Combine(parts, $"{item.Id}-0.part"), "stale");
        }

        var unknown = Path.Combine(parts, "999999-1.part");
        await File.WriteAllTextAsync(unknown, "not the job's");

        var options = TestSupport.FastOptions(output.Path) with
        {
            SharedJob = new SharedJob { Journal = journalUri, Name = "job", Lease = TimeSpan.FromSeconds(2), MustExist = true },
        };
        var report = await DownloadJob.RunAsync(options, TestSupport.Batch([]));

        Assert.Equal(20, report.Done);
        Assert.Equal([unknown], Directory.GetFiles(parts, "*.part"));
    }

    [Fact]
    public async Task Workers_on_one_job_together_keep_to_one_hosts_connection_limit()
    {
        const int files = 120;
        const int perHost = 4;

        // Every body drips at 256 KB/s: each answer takes about a quarter of a second, so every slot a worker may use is used.
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 78,
            FileCount = files,
            MinFileSize = 64 * 1024,
            MaxFileSize = 64 * 1024,
            Faults = new FaultProfile { Rates = new Dictionary<FaultKind, double> { [FaultKind.SlowDrip] = 1 }, MaxFaultsPerPath = 1 },
        });
        var journalUri = await cluster.CreateDatabaseAsync();
        await using (var journal = await PostgresJobJournal.OpenAsync(journalUri, "job", TimeProvider.System, CancellationToken.None))
        {
            await journal.AddAsync([.. server.FileUrls.Select(u => new DownloadRequest(u))], CancellationToken.None);
        }

        using var first = new TempFolder();
        using var second = new TempFolder();
        HaulOptions Worker(string folder) => TestSupport.FastOptions(folder) with
        {
            MaxConcurrency = 8,
            MaxConcurrencyPerHost = perHost,
            StallTimeout = TimeSpan.FromSeconds(5),
            SharedJob = new SharedJob { Journal = journalUri, Name = "job", Lease = TimeSpan.FromSeconds(2), MustExist = true },
        };
        var jobs = new[] { DownloadJob.RunAsync(Worker(first.Path), TestSupport.Batch([])), DownloadJob.RunAsync(Worker(second.Path), TestSupport.Batch([])) };

        // Each worker counts the others right after each heartbeat (every half second here). Once each has beaten since
        // both joined, both know; a slow machine may delay a beat, so the test waits for the beats, not for a time.
        await using (var journal = await PostgresJobJournal.OpenAsync(journalUri, "job", TimeProvider.System, CancellationToken.None))
        {
            var joined = System.Diagnostics.Stopwatch.StartNew();
            while (await journal.ReadWorkersAsync(CancellationToken.None) is var workers
                && !(workers.Count == 2 && workers.All(w => w.Heartbeat > workers.Max(o => o.Started))))
            {
                Assert.True(joined.Elapsed < TimeSpan.FromSeconds(30), "the two workers did not both join and beat within 30 s");
                await Task.Delay(50);
            }
        }

        // The count follows the beat, and the answers begun before it end (a quarter of a second each, longer on a slow
        // machine). Once both know, the host never has more answers open than its limit: the peak is measured from the
        // first moment it has no more.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var settled = System.Diagnostics.Stopwatch.StartNew();
        server.Counters.ResetPeakAnswering();
        while (server.Counters.PeakAnswering > perHost)
        {
            Assert.True(settled.Elapsed < TimeSpan.FromSeconds(30), $"the host still had {server.Counters.PeakAnswering} answers open after 30 s");
            await Task.Delay(20);
            server.Counters.ResetPeakAnswering();
        }

        Assert.False(jobs.All(j => j.IsCompleted), "the job ended before the workers had counted each other: the test proves nothing");
        var reports = await Task.WhenAll(jobs);

        Assert.All(reports, r => Assert.Equal(files, r.Done));
        var haulFolder = Path.DirectorySeparatorChar + ".haul" + Path.DirectorySeparatorChar;
        Assert.All(
            new[] { first.Path, second.Path },
            folder => Assert.Contains(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories), f => !f.Contains(haulFolder, StringComparison.Ordinal)));
        Assert.True(server.Counters.PeakAnswering <= perHost, $"the workers had {server.Counters.PeakAnswering} requests of the host open at once; --per-host is {perHost}");
    }

    [Fact]
    public async Task A_database_with_a_table_of_another_application_is_refused_in_one_line_and_left_as_it_was()
    {
        var journalUri = await cluster.CreateDatabaseAsync();
        await using (var connection = new Npgsql.NpgsqlConnection(journalUri))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand("CREATE TABLE items (sku text PRIMARY KEY); INSERT INTO items VALUES ('kept');", connection);
            await create.ExecuteNonQueryAsync();
        }

        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { SharedJob = new SharedJob { Journal = journalUri, Name = "job" } };
        var refused = await Assert.ThrowsAsync<JournalUnavailableException>(() => DownloadJob.RunAsync(options, TestSupport.Batch(new Uri("http://127.0.0.1:9/a.jpg"))));

        Assert.Contains("not Haul's", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
        await using (var connection = new Npgsql.NpgsqlConnection(journalUri))
        {
            await connection.OpenAsync();
            await using var read = new Npgsql.NpgsqlCommand("SELECT string_agg(sku, ',') FROM items;", connection);
            Assert.Equal("kept", await read.ExecuteScalarAsync());
        }
    }
}
