using Haul.Engine;
using Haul.Journal;
using Haul.TestServer;

namespace Haul.Tests.Crawling;

/// <summary>A crawl run again into its folder: by the options of its first run, or refused before anything changes.</summary>
[Collection(NetworkTests.Name)]
public sealed class CrawlRerunOptionsTests
{
    private static HostileServerOptions Gallery(int seed) => new()
    {
        Seed = seed,
        FileCount = 0,
        Gallery = new GalleryOptions
        {
            Pages = 6,
            SlotsPerPage = 18,
            HugePageBytes = 256 * 1024,
            MinImageSize = 2048,
            MaxImageSize = 16 * 1024,
        },
    };

    private static CrawlOptions Crawl => new() { MaxPageBytes = 128 * 1024 };

    [Fact]
    public async Task A_rerun_with_the_same_options_resumes_and_fetches_nothing_done_again()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(seed: 79));
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path);
        await CrawlJob.RunAsync(options, Crawl with { ByPage = true, SavePages = true }, [servers.StartUri]);
        var done = await DoneAsync(folder.Path);
        var pagesBefore = servers.Main.Counters.RequestsUnder("/gallery/");

        await CrawlJob.RunAsync(options, Crawl with { ByPage = true, SavePages = true }, [servers.StartUri]);

        Assert.Equal(done, await DoneAsync(folder.Path));
        // Only the oversized page, failed, is tried again.
        Assert.Equal(pagesBefore + 1, servers.Main.Counters.RequestsUnder("/gallery/"));
    }

    [Theory]
    [InlineData("by-page", "--by-page true (here false)")]
    [InlineData("save-pages", "--save-pages true (here false)")]
    [InlineData("max-depth", "--max-depth none (here 1)")]
    [InlineData("no-parent", "--no-parent false (here true)")]
    public async Task A_rerun_with_another_layout_or_scope_is_refused_naming_the_option_before_anything_changes(string changed, string named)
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(seed: 83));
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path);
        var first = Crawl with { ByPage = true, SavePages = true };
        await CrawlJob.RunAsync(options, first, [servers.StartUri]);
        await TestSupport.ExecuteOnJournalAsync(folder.Path, "UPDATE items SET state = 3 WHERE url LIKE '%/gallery/page/3';");
        var journal = await TestSupport.ReadJournalAsync(folder.Path);
        var files = Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var requests = servers.Main.Counters.Requests;
        var other = changed switch
        {
            "by-page" => first with { ByPage = false },
            "save-pages" => first with { SavePages = false },
            "max-depth" => first with { MaxDepth = 1 },
            _ => first with { NoParent = true },
        };

        var refused = await Assert.ThrowsAsync<JobMismatchException>(() => CrawlJob.RunAsync(options, other, [servers.StartUri]));

        Assert.Contains($"holds a crawl with other options: {named}; give its options to resume it, or crawl into another output folder", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Equal(requests, servers.Main.Counters.Requests);
        Assert.Equal(
            journal.Select(i => (i.Item.Url, i.Item.State, i.Item.OutputPath)),
            (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => (i.Item.Url, i.Item.State, i.Item.OutputPath)));
        Assert.Equal(files, Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task A_rerun_may_raise_max_pages()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(seed: 89));
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path);
        await CrawlJob.RunAsync(options, Crawl with { MaxPages = 2 }, [servers.StartUri]);
        var few = (await DoneAsync(folder.Path)).Count;

        await CrawlJob.RunAsync(options, Crawl, [servers.StartUri]);

        Assert.True((await DoneAsync(folder.Path)).Count > few, "the raised limit crawled no further");
    }

    [Fact]
    public async Task A_crawl_of_a_journal_that_kept_no_options_keeps_those_of_its_next_run()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(seed: 97));
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path);
        await CrawlJob.RunAsync(options, Crawl with { MaxDepth = 0 }, [servers.StartUri]);

        // The journal as the Haul before the options were kept left it: version 4, no job table.
        await TestSupport.ExecuteOnJournalAsync(folder.Path, "DROP TABLE job; PRAGMA user_version = 4;");
        await CrawlJob.RunAsync(options, Crawl with { MaxDepth = 1 }, [servers.StartUri]);
        var refused = await Assert.ThrowsAsync<JobMismatchException>(() => CrawlJob.RunAsync(options, Crawl with { MaxDepth = 0 }, [servers.StartUri]));

        Assert.Contains("--max-depth 1 (here 0)", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<List<string>> DoneAsync(string root) =>
        [.. (await TestSupport.ReadJournalAsync(root)).Select(i => i.Item).Where(i => i.State == ItemState.Done).Select(i => i.Url).Order(StringComparer.Ordinal)];
}
