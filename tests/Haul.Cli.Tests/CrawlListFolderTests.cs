using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary><c>haul crawl --list</c> keeps no folder: it never writes into, or reads on from, the state of a download crawl.</summary>
public sealed class CrawlListFolderTests
{
    private static readonly TimeSpan CrawlTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task List_with_an_output_folder_is_refused_in_one_line_and_a_later_crawl_there_downloads_every_image()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 61));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var start = servers.StartUri.AbsoluteUri;

        var list = await HaulProcess.RunAsync(folder.Path, ["crawl", start, "-g", "--max-pages", "3", "-o", output], timeout: CrawlTimeout);

        Assert.True(list.ExitCode == 2, list.ToString());
        Support.AssertNoStackTrace(list);
        Assert.Contains("-o", Assert.Single(list.StderrLines), StringComparison.Ordinal);
        Assert.Empty(list.Stdout);
        Assert.False(Path.Exists(output), "the refused list made its output folder");
        Assert.Equal(0, servers.Main.Counters.RequestsFor("/gallery/"));

        var crawl = await HaulProcess.RunAsync(folder.Path, ["crawl", start, "--max-pages", "3", "-o", output, "--no-progress"], timeout: CrawlTimeout);

        Assert.True(crawl.ExitCode == 0, crawl.ToString());
        var rows = await CrawlSupport.ReadItemsAsync(output);
        var images = rows.Where(r => r.Kind != CrawlRow.Page && r.State == JournalRow.Done).ToList();
        Assert.NotEmpty(images);
        Assert.Equal(images.Count, Support.DownloadedFiles(output).Count(f => Path.GetFileName(f) != "images.jsonl"));
    }

    [Fact]
    public async Task List_with_the_folder_of_an_earlier_crawl_is_refused_and_leaves_that_folder_as_it_was()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 67));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var start = servers.StartUri.AbsoluteUri;
        var crawl = await HaulProcess.RunAsync(folder.Path, ["crawl", start, "--max-pages", "2", "-o", output, "--no-progress"], timeout: CrawlTimeout);
        Assert.True(crawl.ExitCode == 0, crawl.ToString());
        var before = await SnapshotAsync(output);
        var requests = servers.Main.Counters.RequestsFor("/gallery/");

        var list = await HaulProcess.RunAsync(folder.Path, ["crawl", start, "--list", "--max-pages", "5", "-o", output], timeout: CrawlTimeout);

        Assert.True(list.ExitCode == 2, list.ToString());
        Support.AssertNoStackTrace(list);
        Assert.Contains("-o", Assert.Single(list.StderrLines), StringComparison.Ordinal);
        Assert.Empty(list.Stdout);
        Assert.Equal(before, await SnapshotAsync(output));
        Assert.Equal(requests, servers.Main.Counters.RequestsFor("/gallery/"));
    }

    /// <summary>Every file under <paramref name="root"/> by relative path, with its SHA-256 (the lock file's presence only).</summary>
    private static async Task<SortedDictionary<string, string>> SnapshotAsync(string root)
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            snapshot[Path.GetRelativePath(root, file)] = Path.GetFileName(file) == "lock" ? "present" : await Support.Sha256OfFileAsync(file);
        }

        return snapshot;
    }
}
