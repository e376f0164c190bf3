using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary><c>haul crawl</c> run again into its folder, as a user retypes it: the same options resume, others are refused.</summary>
public sealed class CrawlRerunTests
{
    private static readonly TimeSpan CrawlTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_rerun_without_by_page_is_refused_in_one_line_naming_it_and_the_first_command_still_resumes()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 101));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        string[] byPage = ["crawl", servers.StartUri.AbsoluteUri, "-o", output, "--by-page", "--no-progress"];
        var first = await HaulProcess.RunAsync(folder.Path, byPage, timeout: CrawlTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());
        var files = Support.DownloadedFiles(output).Order(StringComparer.Ordinal).ToArray();
        var requests = servers.Main.Counters.Requests;

        var mirrored = await HaulProcess.RunAsync(folder.Path, ["crawl", servers.StartUri.AbsoluteUri, "-o", output, "--no-progress"], timeout: CrawlTimeout);
        var deeper = await HaulProcess.RunAsync(folder.Path, [.. byPage, "--save-pages", "-l", "2"], timeout: CrawlTimeout);

        Assert.Equal(2, mirrored.ExitCode);
        Assert.Contains(
            $"'{output}' holds a crawl with other options: --by-page true (here false); give its options to resume it, or crawl into another output folder",
            Assert.Single(mirrored.StderrLines),
            StringComparison.Ordinal);
        Assert.Equal(2, deeper.ExitCode);
        var line = Assert.Single(deeper.StderrLines);
        Assert.Contains("--max-depth none (here 2)", line, StringComparison.Ordinal);
        Assert.Contains("--save-pages false (here true)", line, StringComparison.Ordinal);
        Assert.Equal(requests, servers.Main.Counters.Requests);
        Assert.Equal(files, Support.DownloadedFiles(output).Order(StringComparer.Ordinal).ToArray());

        var pages = servers.Main.Counters.RequestsUnder("/gallery/");
        var resumed = await HaulProcess.RunAsync(folder.Path, byPage, timeout: CrawlTimeout);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(files, Support.DownloadedFiles(output).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(pages, servers.Main.Counters.RequestsUnder("/gallery/"));
    }
}
