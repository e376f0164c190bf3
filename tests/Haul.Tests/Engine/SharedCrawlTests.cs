using Haul.Engine;
using Haul.Input;
using Haul.Journal;
using Haul.Journal.Postgres;
using Haul.Testing;
using Haul.TestServer;
using Npgsql;

namespace Haul.Tests.Engine;

/// <summary>
/// A crawl many workers share through a real PostgreSQL: the job keeps the crawl's options, a worker that joins crawls
/// by them, robots.txt is read once for all, the page limit holds across workers, and a command that does not fit the
/// job is refused before it changes anything.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class SharedCrawlTests(PostgresCluster cluster)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(4);

    private static HostileServerOptions Gallery(int seed) => new()
    {
        Seed = seed,
        FileCount = 0,
        Faults = FaultProfile.None,
        Gallery = new GalleryOptions { Pages = 6, SlotsPerPage = 18, HugePageBytes = 256 * 1024, MinImageSize = 2048, MaxImageSize = 16 * 1024 },
    };

    private static CrawlOptions Crawl => new() { MaxPageBytes = 128 * 1024 };

    [Fact]
    public async Task Two_workers_crawl_one_gallery_together_each_page_and_image_fetched_once_and_robots_read_once()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(seed: 71));
        var journalUri = await cluster.CreateDatabaseAsync();
        using var first = new TempFolder();
        using var second = new TempFolder();

        // Held to 25 requests a second a host, shared, so that the crawl lasts long enough for the second worker to join.
        HaulOptions Worker(string folder, bool join) => TestSupport.FastOptions(folder) with
        {
            MaxRequestsPerSecond = 25,
            SharedJob = new SharedJob { Journal = journalUri, Name = "gallery", Lease = Lease, MustExist = join },
        };

        var starter = CrawlJob.RunAsync(Worker(first.Path, join: false), Crawl, [servers.StartUri]);

        // The second joins once the first has read a page, so robots.txt is in the journal by then.
        await WaitAsync(journalUri, "SELECT count(*) FROM items WHERE kind = 1 AND state = 2;", starter);
        var joiner = DownloadJob.RunAsync(Worker(second.Path, join: true), TestSupport.Batch([]));
        await Task.WhenAll(starter, joiner);

        await using var journal = await PostgresJobJournal.OpenAsync(journalUri, "gallery", TimeProvider.System, CancellationToken.None);
        var items = await journal.ReadItemsAsync(CancellationToken.None);
        var expected = servers.Main.GalleryImages;
        var images = items.Where(i => i.Kind == ItemKind.File).ToList();
        Assert.Equal(
            expected.Select(e => e.Url.AbsoluteUri).Order(StringComparer.Ordinal),
            images.Where(i => i.State == ItemState.Done).Select(i => i.Url).Order(StringComparer.Ordinal));

        // Each image is in the folder of the worker that finished it, and was asked for once across both.
        var folders = new Dictionary<string, string>
        {
            [$"{Environment.MachineName}:{first.Path}"] = first.Path,
            [$"{Environment.MachineName}:{second.Path}"] = second.Path,
        };
        foreach (var image in expected)
        {
            var item = images.Single(i => i.Url == image.Url.AbsoluteUri);
            Assert.Equal(image.Sha256, TestSupport.Sha256OfFile(TestSupport.SavedPath(folders[item.Holder!], image.Url)));
            Assert.Equal(1, servers.HostOf(image).Counters.RequestsFor(image.Path));
        }

        var fetched = servers.Main.GalleryPages.Where(p => p.Fetched).ToList();
        Assert.All(
            fetched.GroupBy(page => page.PathAndQuery.Split('?')[0]),
            group => Assert.True(group.Count() == servers.Main.Counters.RequestsFor(group.Key), $"{group.Key}: {servers.Main.Counters.RequestsFor(group.Key)} requests for {group.Count()} pages"));
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/private/"));
        Assert.Equal(1, servers.Main.Counters.RequestsFor("/robots.txt"));

        // Both did a share, and each wrote the job's image list.
        var workers = await journal.ReadWorkersAsync(CancellationToken.None);
        Assert.Equal(2, workers.Count);
        Assert.All(workers, w => Assert.True(w.FilesDone > 0, $"{w.Owner} finished nothing"));
        Assert.All(workers, w => Assert.Equal(Lease, w.Lease));
        // Each names every image of the job, with the folder that holds it.
        foreach (var folder in new[] { first.Path, second.Path })
        {
            var lines = (await File.ReadAllLinesAsync(Path.Combine(folder, "images.jsonl"))).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(expected.Count, lines.Count);
            Assert.All(lines, line => Assert.True(
                File.Exists(Path.Combine(folders[line.GetProperty("folder").GetString()!], line.GetProperty("path").GetString()!)), line.ToString()));
            Assert.Equal(2, lines.Select(line => line.GetProperty("folder").GetString()).Distinct().Count());
        }
    }

    [Fact]
    public async Task A_worker_that_joins_before_a_start_page_redirects_to_another_host_follows_it_and_sends_no_credentials_there()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(seed: 73));
        await using var redirector = await HostileServer.StartAsync(new HostileServerOptions { Seed = 73, FileCount = 0 });
        var start = new Uri(redirector.BaseUri, "/redirect-to?url=" + Uri.EscapeDataString(servers.StartUri.AbsoluteUri));
        var journalUri = await cluster.CreateDatabaseAsync();
        using var first = new TempFolder();
        using var second = new TempFolder();
        HaulOptions Worker(string folder, bool join) => TestSupport.FastOptions(folder) with
        {
            MaxRequestsPerSecond = 25,
            Headers = [new("Authorization", "Bearer secret-token")],
            SharedJob = new SharedJob { Journal = journalUri, Name = "gallery", Lease = Lease, MustExist = join },
        };

        // The second joins as soon as the job is a crawl: before the start page's redirect is known to anyone.
        var starter = CrawlJob.RunAsync(Worker(first.Path, join: false), Crawl, [start]);
        await WaitAsync(journalUri, "SELECT count(*) FROM jobs WHERE kind IS NOT NULL;", starter);
        var joiner = DownloadJob.RunAsync(Worker(second.Path, join: true), TestSupport.Batch([]));
        await Task.WhenAll(starter, joiner);

        await using var journal = await PostgresJobJournal.OpenAsync(journalUri, "gallery", TimeProvider.System, CancellationToken.None);
        var done = (await journal.ReadItemsAsync(CancellationToken.None)).Where(i => i.Kind == ItemKind.File && i.State == ItemState.Done).ToList();
        Assert.Equal(
            servers.Main.GalleryImages.Select(e => e.Url.AbsoluteUri).Order(StringComparer.Ordinal),
            done.Select(i => i.Url).Order(StringComparer.Ordinal));
        Assert.All((await journal.ReadWorkersAsync(CancellationToken.None)).Where(w => w.Holder.EndsWith(second.Path, StringComparison.Ordinal)),
            w => Assert.True(w.FilesDone > 0, "the second worker did nothing: the test proves nothing"));

        // The user's credentials went to the start page's origin only, from either worker.
        Assert.Contains(redirector.Counters.Log, r => r.Authorization == "Bearer secret-token");
        Assert.DoesNotContain(servers.Main.Counters.Log, r => r.Authorization is not null);
        Assert.DoesNotContain(servers.Cdn.Counters.Log, r => r.Authorization is not null);
    }

    [Fact]
    public async Task The_page_limit_holds_for_all_workers_together()
    {
        const int maxPages = 4;
        await using var servers = await GalleryServers.StartAsync(Gallery(seed: 72));
        var journalUri = await cluster.CreateDatabaseAsync();
        using var first = new TempFolder();
        using var second = new TempFolder();
        HaulOptions Worker(string folder, bool join) => TestSupport.FastOptions(folder) with
        {
            SharedJob = new SharedJob { Journal = journalUri, Name = "gallery", Lease = Lease, MustExist = join },
        };

        var starter = CrawlJob.RunAsync(Worker(first.Path, join: false), Crawl with { MaxPages = maxPages }, [servers.StartUri]);
        await WaitAsync(journalUri, "SELECT count(*) FROM jobs WHERE crawl IS NOT NULL;", starter);
        var joiner = DownloadJob.RunAsync(Worker(second.Path, join: true), TestSupport.Batch([]));
        await Task.WhenAll(starter, joiner);

        await using var journal = await PostgresJobJournal.OpenAsync(journalUri, "gallery", TimeProvider.System, CancellationToken.None);
        var pages = (await journal.ReadItemsAsync(CancellationToken.None)).Where(i => i.Kind == ItemKind.Page).ToList();
        Assert.Equal(maxPages, pages.Count(p => p.State is ItemState.Done or ItemState.Failed));
        Assert.Contains(pages, p => p.State == ItemState.Skipped && p.Note == "max-pages");
        var pageRequests = servers.Main.GalleryPages.Select(p => p.PathAndQuery.Split('?')[0]).Distinct().Sum(servers.Main.Counters.RequestsFor);
        Assert.Equal(maxPages, pageRequests);
    }

    [Fact]
    public async Task A_command_that_does_not_fit_the_shared_job_is_refused_and_changes_nothing()
    {
        var journalUri = await cluster.CreateDatabaseAsync();
        using var folder = new TempFolder();
        var start = new Uri("http://127.0.0.1:9/gallery/");
        HaulOptions Options(string job) => TestSupport.FastOptions(Path.Combine(folder.Path, job)) with
        {
            SharedJob = new SharedJob { Journal = journalUri, Name = job, Lease = Lease },
        };

        await using (var journal = await PostgresJobJournal.OpenAsync(journalUri, "crawl", TimeProvider.System, CancellationToken.None))
        {
            var definition = new JobDefinition(JobKind.Crawl, CrawlDefinition.Write(Crawl with { MaxPages = 5 }));
            Assert.Equal(definition, await journal.DefineAsync(definition, CancellationToken.None));
        }

        await using (var journal = await PostgresJobJournal.OpenAsync(journalUri, "list", TimeProvider.System, CancellationToken.None))
        {
            await journal.AddAsync([new DownloadRequest(new Uri("http://127.0.0.1:9/a.jpg"))], CancellationToken.None);
        }

        var otherOptions = await Assert.ThrowsAsync<JobMismatchException>(() => CrawlJob.RunAsync(Options("crawl"), Crawl with { MaxPages = 6 }, [start]));
        Assert.Contains("--max-pages 5 (here 6)", otherOptions.Message, StringComparison.Ordinal);
        var crawlOnList = await Assert.ThrowsAsync<JobMismatchException>(() => CrawlJob.RunAsync(Options("list"), Crawl, [start]));
        Assert.Contains("is a list job", crawlOnList.Message, StringComparison.Ordinal);
        var listOnCrawl = await Assert.ThrowsAsync<JobMismatchException>(
            () => DownloadJob.RunAsync(Options("crawl"), TestSupport.Batch(new Uri("http://127.0.0.1:9/b.jpg"))));
        Assert.Contains("is a crawl", listOnCrawl.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<JobMismatchException>(() => CrawlJob.RunAsync(Options("crawl"), Crawl with { MaxPages = 5, ListOnly = true }, [start]));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "crawl")), "a refused command left the folder it made");
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "list")), "a refused command left the folder it made");

        // A refusal in a folder that was there leaves it as it was: no mark of the job, nothing of Haul's.
        var existing = Path.Combine(folder.Path, "existing");
        Directory.CreateDirectory(existing);
        await File.WriteAllTextAsync(Path.Combine(existing, "mine.txt"), "the user's");
        await Assert.ThrowsAsync<JobMismatchException>(() => DownloadJob.RunAsync(
            Options("crawl") with { OutputDirectory = existing }, TestSupport.Batch(new Uri("http://127.0.0.1:9/c.jpg"))));
        Assert.Equal([Path.Combine(existing, "mine.txt")], Directory.EnumerateFileSystemEntries(existing, "*", SearchOption.AllDirectories));

        // Folders made for a refused command go again, however deep.
        var deep = Path.Combine(folder.Path, "new1", "new2", "new3");
        await Assert.ThrowsAsync<JobMismatchException>(() => CrawlJob.RunAsync(Options("list") with { OutputDirectory = deep }, Crawl, [start]));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "new1")));

        // Nothing was added to either job, and the crawl keeps its options.
        await using var connection = new NpgsqlConnection(journalUri);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM items), (SELECT crawl FROM jobs WHERE name = 'crawl');", connection);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.Equal(CrawlDefinition.Write(Crawl with { MaxPages = 5 }), reader.GetString(1));
    }

    /// <summary>Waits until <paramref name="countSql"/> counts at least one row (or <paramref name="running"/> ended, which fails the test).</summary>
    private static async Task WaitAsync(string journalUri, string countSql, Task running)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.False(running.IsCompleted, "the first worker ended before the second could join");
            try
            {
                await using var connection = new NpgsqlConnection(journalUri);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(countSql, connection);
                if ((long)(await command.ExecuteScalarAsync())! > 0)
                {
                    return;
                }
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // No schema yet.
            }

            Assert.True(DateTime.UtcNow < deadline, "the shared crawl did not start within 30 s");
            await Task.Delay(50);
        }
    }
}
