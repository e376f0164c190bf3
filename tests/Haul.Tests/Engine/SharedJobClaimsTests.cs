using Haul.Engine;
using Haul.Input;
using Haul.Journal;
using Haul.Journal.Postgres;
using Haul.Testing;
using Haul.TestServer;

namespace Haul.Tests.Engine;

/// <summary>A worker on a shared job takes the items of a worker that died soon after their leases expire.</summary>
[Collection(PostgresTests.Name)]
public sealed class SharedJobClaimsTests(PostgresCluster cluster)
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
}
