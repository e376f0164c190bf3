using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary><c>haul verify</c> of a crawl's folder: the pages <c>--save-pages</c> kept are files Haul wrote, checked like its images.</summary>
public sealed class CrawlVerifyTests
{
    private static readonly TimeSpan CrawlTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Verify_checks_the_saved_pages_of_a_crawl_names_a_corrupted_one_and_a_rerun_of_the_crawl_restores_it()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 67));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        string[] crawl = ["crawl", servers.StartUri.AbsoluteUri, "-o", output, "--save-pages", "--no-progress"];
        var first = await HaulProcess.RunAsync(folder.Path, crawl, timeout: CrawlTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());
        var pages = Support.DownloadedFiles(output).Count(f => f.EndsWith(".html", StringComparison.Ordinal));
        var files = await DoneImagesAsync(output) + pages;
        Assert.True(pages > 3, $"{pages} pages saved");

        var intact = await HaulProcess.RunAsync(folder.Path, ["verify", output]);

        Assert.True(intact.ExitCode == 0, intact.ToString());
        Assert.Contains($"verified {files} done files: {files} intact", intact.Stdout, StringComparison.Ordinal);

        var host = $"127.0.0.1_{servers.Main.BaseUri.Port}";
        var page = Path.Combine(output, host, "gallery", "page", "2.html");
        var saved = await File.ReadAllBytesAsync(page);
        await File.WriteAllTextAsync(page, "<html><title>not the page any more</title></html>");

        var corrupted = await HaulProcess.RunAsync(folder.Path, ["verify", output]);

        Assert.True(corrupted.ExitCode == 1, corrupted.ToString());
        Assert.Contains($"  {host}/gallery/page/2.html: ", corrupted.Stdout, StringComparison.Ordinal);
        Assert.Contains($"verified {files} done files: {files - 1} intact", corrupted.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 missing or changed", corrupted.Stdout, StringComparison.Ordinal);
        Assert.Contains("run the folder's haul crawl command again", corrupted.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("haul get", corrupted.Stdout, StringComparison.Ordinal);

        // The page is pending again: the same crawl fetches it again and puts it back, the changed copy kept aside.
        var rerun = await HaulProcess.RunAsync(folder.Path, crawl, timeout: CrawlTimeout);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Equal(saved, await File.ReadAllBytesAsync(page));
        var again = await HaulProcess.RunAsync(folder.Path, ["verify", output]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"verified {files} done files: {files} intact", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_of_a_crawl_without_save_pages_checks_its_images_only()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 71));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var first = await HaulProcess.RunAsync(folder.Path, ["crawl", servers.StartUri.AbsoluteUri, "-o", output, "--no-progress"], timeout: CrawlTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());

        var verify = await HaulProcess.RunAsync(folder.Path, ["verify", output]);

        var images = await DoneImagesAsync(output);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains($"verified {images} done files: {images} intact", verify.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The crawl's done images (the expected set, and those of the huge page a small gallery lets it read).</summary>
    private static async Task<int> DoneImagesAsync(string output) =>
        (await CrawlSupport.ReadItemsAsync(output)).Count(r => r.Kind == CrawlRow.File && r.State == JournalRow.Done);
}
