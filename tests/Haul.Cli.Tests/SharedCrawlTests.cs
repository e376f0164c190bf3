using System.Diagnostics;
using Haul.Testing;
using Haul.TestServer;
using Npgsql;

namespace Haul.Cli.Tests;

/// <summary>
/// <c>haul crawl --journal</c> and <c>haul worker</c> as separate processes on one crawl kept in a real PostgreSQL: the
/// worker crawls by the job's options, and when the crawl's first process is killed the worker finishes the crawl.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class SharedCrawlTests(PostgresCluster cluster)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_worker_joins_a_crawl_by_its_options_and_finishes_it_after_the_first_process_is_killed()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 81));
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var first = folder.Combine("a");
        var second = folder.Combine("b");

        // 20 requests a second to each host, shared: the crawl lasts several seconds. --max-page-size is the job's: the
        // worker is not given it and crawls by it all the same (the gallery's huge page fails too-large in both).
        string[] Shared(string output) =>
            ["--journal", journal, "--job", "gallery", "-o", output, "--no-progress", "--max-rate", "20", "--lease", "2", "--retry-delay", "0.1"];
        await using var starter = await HaulProcess.StartAsync(folder.Path, ["crawl", servers.StartUri.AbsoluteUri, "--max-page-size", "128K", .. Shared(first)]);
        await WaitForAsync(journal, "SELECT count(*) FROM items WHERE kind = 1 AND state = 2;", 1);
        await using var worker = await HaulProcess.StartAsync(folder.Path, ["worker", .. Shared(second)]);
        await WaitForAsync(journal, "SELECT count(*) FROM items WHERE kind = 0 AND state = 2;", 20);
        var killed = await starter.KillAsync();
        Assert.Equal(137, killed.ExitCode);

        var result = await worker.WaitAsync(RunTimeout);
        Assert.True(result.ExitCode is 0 or 1, result.ToString());

        // Every image of the gallery is done, byte-identical in the folder of the process that finished it.
        var done = await QueryAsync(journal, "SELECT url, holder FROM items WHERE kind = 0 AND state = 2;");
        var expected = servers.Main.GalleryImages;
        Assert.Equal(expected.Select(i => i.Url.AbsoluteUri).Order(StringComparer.Ordinal), done.Keys.Order(StringComparer.Ordinal));
        foreach (var image in expected)
        {
            var holder = done[image.Url.AbsoluteUri].EndsWith(Path.GetFullPath(first), StringComparison.Ordinal) ? first : second;
            Assert.Equal(image.Sha256, await Support.Sha256OfFileAsync(Support.MappedPath(holder, image.Url)));
        }

        Assert.Contains(done.Values, h => h.EndsWith(Path.GetFullPath(second), StringComparison.Ordinal));
        var huge = await QueryAsync(journal, "SELECT url, last_reason FROM items WHERE kind = 1 AND url LIKE '%/gallery/huge.html';");
        Assert.Equal("too-large", Assert.Single(huge).Value);
        Assert.True(File.Exists(Path.Combine(second, "images.jsonl")));

        var status = await HaulProcess.RunAsync(folder.Path, ["status", "--journal", journal, "--job", "gallery"]);
        Assert.True(status.ExitCode is 0 or 1, status.ToString());
        Assert.Contains("gone", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_a_crawl_on_a_shared_journal_is_refused_in_one_line()
    {
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();

        var result = await HaulProcess.RunAsync(folder.Path, ["crawl", "--list", "http://127.0.0.1:9/", "--journal", journal, "--job", "g"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--list", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(string journal, string countSql, long atLeast)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(journal);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(countSql, connection);
                if ((long)(await command.ExecuteScalarAsync())! >= atLeast)
                {
                    return;
                }
            }
            catch (PostgresException)
            {
                // No schema yet.
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"'{countSql}' did not reach {atLeast} within a minute");
            await Task.Delay(100);
        }
    }

    private static async Task<Dictionary<string, string>> QueryAsync(string journal, string sql)
    {
        await using var connection = new NpgsqlConnection(journal);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = reader.IsDBNull(1) ? "" : reader.GetString(1);
        }

        return rows;
    }
}
