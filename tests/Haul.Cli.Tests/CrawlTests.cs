using System.Text.Json;
using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary><c>haul crawl</c> as a user runs it, against the test server's seeded gallery site and its CDN host.</summary>
public sealed class CrawlTests
{
    private const string HugePage = "/gallery/huge.html";

    [Fact]
    public async Task Crawl_of_a_gallery_saves_every_full_size_image_prints_the_pages_line_and_exits_1_for_the_huge_page()
    {
        // The default page limit (10 MiB) against the site's default huge page (12 MiB): the command as a user types it.
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 31, hugePageBytes: 12 * 1024 * 1024));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var expected = servers.Main.GalleryImages;

        var result = await HaulProcess.RunAsync(folder.Path, ["crawl", servers.StartUri.AbsoluteUri, "-o", output, "--no-progress"], timeout: TimeSpan.FromSeconds(60));

        // Exit 1: "some failed", the huge page (too-large); everything else of the site is done.
        Assert.True(result.ExitCode == 1, result.ToString());
        Support.AssertNoStackTrace(result);
        var fetchedPages = CrawlSupport.FetchedPageUrls(servers).Count;
        var skippedPages = (await CrawlSupport.ReadItemsAsync(output)).Count(r => r.Kind == CrawlRow.Page && r.State == JournalRow.Skipped);
        var pagesLine = Assert.Single(result.Stdout.Split('\n'), l => l.StartsWith("pages: ", StringComparison.Ordinal));
        Assert.Equal($"pages: {fetchedPages - 1} read, 1 failed, {skippedPages} skipped; images: {expected.Count} saved", pagesLine.Trim());
        Assert.Contains("too-large: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"report: {Path.Combine(output, "report.json")}; failed URLs: {Path.Combine(output, "failed.txt")}; images: {Path.Combine(output, "images.jsonl")}", result.Stdout, StringComparison.Ordinal);
        await CrawlSupport.AssertEveryImageSavedAsync(servers, output);

        var hugeUrl = new Uri(servers.Main.BaseUri, HugePage).AbsoluteUri;
        Assert.Equal([hugeUrl], CrawlSupport.FailedUrls(output));
        using (var report = Support.ParseReport(output))
        {
            var root = report.RootElement;
            Assert.Equal(1, root.GetProperty("failed").GetInt32());
            var failure = Assert.Single(root.GetProperty("failures").EnumerateArray());
            Assert.Equal(hugeUrl, failure.GetProperty("url").GetString());
            Assert.Equal("too-large", failure.GetProperty("reason").GetString());
            Assert.Equal(fetchedPages - 1, root.GetProperty("pages").GetProperty("done").GetInt32());
            Assert.Equal(1, root.GetProperty("pages").GetProperty("failed").GetInt32());
            Assert.Equal(expected.Count, root.GetProperty("done").GetInt32() - root.GetProperty("pages").GetProperty("done").GetInt32());
        }

        var lines = await File.ReadAllLinesAsync(Path.Combine(output, "images.jsonl"));
        var listed = new List<string>();
        foreach (var line in lines)
        {
            using var entry = JsonDocument.Parse(line);
            var url = entry.RootElement.GetProperty("url").GetString()!;
            listed.Add(url);
            Assert.True(File.Exists(Path.Combine(output, entry.RootElement.GetProperty("path").GetString()!)), line);
            Assert.NotEmpty(entry.RootElement.GetProperty("pages").EnumerateArray());
        }

        Assert.Equal(CrawlSupport.Ordered(expected.Select(e => e.Url.AbsoluteUri)), CrawlSupport.Ordered(listed));

        // Only images were saved: pages are read from their part files, never kept.
        Assert.Equal(expected.Count, Support.DownloadedFiles(output).Count(f => Path.GetFileName(f) != "images.jsonl"));
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/private/"));
        Assert.Equal(0, servers.Cdn.Counters.RequestsUnder("/offsite/"));
    }

    [Fact]
    public async Task Crawl_list_prints_exactly_the_expected_image_urls_on_stdout_downloads_none_and_leaves_no_folder_behind()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 37));
        using var folder = new TestFolder();
        var work = folder.Combine("work");
        var temp = folder.Combine("tmp");
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(temp);

        // TMPDIR: where the list's journal lives for the run, so that what is left of it can be seen.
        var result = await HaulProcess.RunAsync(
            work, ["crawl", "--list", "--max-page-size", "128K", servers.StartUri.AbsoluteUri], timeout: TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["TMPDIR"] = temp });

        // The huge page still fails (too-large), so the exit code says some failed.
        Assert.True(result.ExitCode == 1, result.ToString());
        Support.AssertNoStackTrace(result);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Length, lines.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(CrawlSupport.Ordered(servers.Main.GalleryImages.Select(e => e.Url.AbsoluteUri)), CrawlSupport.Ordered(lines));

        // The summary went to stderr, without the paths of reports that are not kept.
        Assert.Contains(result.StderrLines, l => l.StartsWith("pages: ", StringComparison.Ordinal));
        Assert.DoesNotContain("report:", result.Stderr, StringComparison.Ordinal);

        // Pages were read, no image was asked for.
        Assert.True(servers.Main.Counters.RequestsFor("/gallery/") > 0);
        foreach (var prefix in new[] { "/img/", "/protected/", "/static/", "/private/" })
        {
            Assert.True(servers.Main.Counters.RequestsUnder(prefix) == 0, $"{servers.Main.Counters.RequestsUnder(prefix)} requests under {prefix}");
        }

        Assert.Equal(0, servers.Cdn.Counters.RequestsUnder("/cdn/"));
        Assert.Empty(Directory.GetFileSystemEntries(work));
        Assert.Empty(Directory.GetFileSystemEntries(temp));
    }

    [Fact]
    public async Task Crawl_accept_takes_one_value_as_wget_A_does_and_leaves_the_start_page_as_the_start_page()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 53));
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(
            folder.Path, ["crawl", "--list", "-A", "jpg", servers.StartUri.AbsoluteUri, "--max-page-size", "128K"], timeout: TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 1, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var jpegs = servers.Main.GalleryImages.Select(e => e.Url.AbsoluteUri).Where(u => u.EndsWith(".jpg", StringComparison.Ordinal));
        Assert.NotEmpty(lines);
        Assert.Equal(CrawlSupport.Ordered(jpegs), CrawlSupport.Ordered(lines));
    }

    [Theory]
    [InlineData(new[] { "-o", "out" }, "no start page")]
    [InlineData(new[] { "ftp://x", "-o", "out" }, "start page 'ftp://x': unsupported scheme 'ftp'")]
    [InlineData(new[] { "not a url", "-o", "out" }, "start page 'not a url': malformed URL")]
    [InlineData(new[] { "{start}", "-o", "out", "--referer-policy", "weird" }, "--referer-policy 'weird' is not one of full, origin, none")]
    [InlineData(new[] { "{start}", "-o", "out", "--include", "(" }, "--include '(' is not a regular expression")]
    [InlineData(new[] { "{start}", "-o", "out", "--exclude", "[z-a]" }, "--exclude '[z-a]' is not a regular expression")]
    [InlineData(new[] { "{start}", "-o", "out", "--next", "a[[[" }, "--next 'a[[[' is not a CSS selector")]
    [InlineData(new[] { "{start}", "-o", "out", "--max-depth", "-1" }, "--max-depth -1 is out of range (N >= 0)")]
    [InlineData(new[] { "{start}", "-o", "out", "--max-pages", "0" }, "--max-pages 0 is out of range (N >= 1)")]
    [InlineData(new[] { "{start}", "-o", "out", "--min-size", "10Q" }, "--min-size '10Q' is not a size")]
    [InlineData(new[] { "{start}", "-o", "out", "--max-size", "1K", "--min-size", "2K" }, "--min-size 2K is more than --max-size 1K")]
    public async Task Crawl_with_bad_input_exits_2_with_one_line_naming_the_option_or_value_and_requests_nothing(string[] args, string message)
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 41));
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(
            folder.Path, ["crawl", "--no-progress", .. args.Select(a => a == "{start}" ? servers.StartUri.AbsoluteUri : a)]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("haul: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(0, servers.Main.Counters.Requests);
    }

    [Fact]
    public async Task Crawl_honours_robots_txt_and_with_ignore_robots_fetches_the_disallowed_pages_and_images()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 43));
        using var folder = new TestFolder();
        var polite = folder.Combine("polite");
        var rude = folder.Combine("rude");
        string[] common = ["--no-progress", "--max-page-size", "128K"];

        var first = await HaulProcess.RunAsync(folder.Path, ["crawl", servers.StartUri.AbsoluteUri, "-o", polite, .. common], timeout: TimeSpan.FromSeconds(60));

        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/private/"));
        Assert.True(servers.Main.Counters.RequestsFor("/robots.txt") > 0);
        using (var report = Support.ParseReport(polite))
        {
            var robots = report.RootElement.GetProperty("skippedEntries").EnumerateArray()
                .Where(e => e.GetProperty("rule").GetString() == "robots").Select(e => e.GetProperty("entry").GetString()!).ToList();
            Assert.NotEmpty(robots);
            Assert.All(robots, url => Assert.Contains("/private/", url, StringComparison.Ordinal));
        }

        var robotsRequests = servers.Main.Counters.RequestsFor("/robots.txt") + servers.Cdn.Counters.RequestsFor("/robots.txt");

        var second = await HaulProcess.RunAsync(folder.Path, ["crawl", servers.StartUri.AbsoluteUri, "-o", rude, "--ignore-robots", .. common], timeout: TimeSpan.FromSeconds(60));

        Assert.True(second.ExitCode == 1, second.ToString());
        Support.AssertNoStackTrace(second);
        Assert.True(servers.Main.Counters.RequestsUnder("/private/") > 0, "nothing under /private/ was fetched with --ignore-robots");
        Assert.Equal(robotsRequests, servers.Main.Counters.RequestsFor("/robots.txt") + servers.Cdn.Counters.RequestsFor("/robots.txt"));
        var saved = (await CrawlSupport.ReadItemsAsync(rude)).Where(r => r.Kind == CrawlRow.File && r.State == JournalRow.Done).ToList();
        Assert.Contains(saved, r => r.Uri.AbsolutePath.StartsWith("/private/", StringComparison.Ordinal));
        await CrawlSupport.AssertEveryImageSavedAsync(servers, rude);
    }

    [Fact]
    public async Task Crawl_matches_robots_txt_by_the_product_token_of_the_user_agent_it_sends_and_a_browsers_as_haul()
    {
        // The gallery's robots.txt: "User-agent: *" may not fetch /private/, "User-agent: otherbot" nothing at all.
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 37));
        using var folder = new TestFolder();
        var start = servers.StartUri.AbsoluteUri;
        string[] common = ["--no-progress", "--max-depth", "0", "--max-page-size", "128K"];
        const string otherBot = "OtherBot/1.0 (+http://example.org/bot)";

        var other = folder.Combine("other");
        var asOther = await HaulProcess.RunAsync(folder.Path, ["crawl", start, "-o", other, "-U", otherBot, .. common], timeout: TimeSpan.FromSeconds(60));

        // Exit 1: no page read. Only robots.txt was asked for, as otherbot, and the start page was skipped by its rule.
        Assert.True(asOther.ExitCode == 1, asOther.ToString());
        Support.AssertNoStackTrace(asOther);
        Assert.NotEmpty(servers.Main.Counters.Log);
        Assert.All(servers.Main.Counters.Log, r => Assert.Equal(("/robots.txt", otherBot), (r.Path, r.UserAgent)));
        using (var report = Support.ParseReport(other))
        {
            Assert.Contains(report.RootElement.GetProperty("skippedEntries").EnumerateArray(),
                e => e.GetProperty("entry").GetString() == start && e.GetProperty("rule").GetString() == "robots");
        }

        // Haul's own User-Agent, and a browser's (which names no crawler), match no group: "*" lets them read the page.
        foreach (string[] identity in new[] { Array.Empty<string>(), ["--browser", "chrome"] })
        {
            var output = folder.Combine(identity.Length == 0 ? "haul" : "browser");
            var pagesBefore = servers.Main.Counters.RequestsFor("/gallery/");
            var result = await HaulProcess.RunAsync(folder.Path, ["crawl", start, "-o", output, .. identity, .. common], timeout: TimeSpan.FromSeconds(60));

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.True(servers.Main.Counters.RequestsFor("/gallery/") > pagesBefore, $"{string.Join(' ', identity)}: the start page was not fetched");
            var rows = await CrawlSupport.ReadItemsAsync(output);
            Assert.Contains(rows, r => r.Url == start && r.State == JournalRow.Done);
            Assert.Contains(rows, r => r.Kind == CrawlRow.File && r.State == JournalRow.Done);
            using var report = Support.ParseReport(output);
            Assert.All(
                report.RootElement.GetProperty("skippedEntries").EnumerateArray().Where(e => e.GetProperty("rule").GetString() == "robots"),
                e => Assert.Contains("/private/", e.GetProperty("entry").GetString(), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Crawl_sends_the_page_as_referer_so_hotlink_protected_images_arrive_and_with_referer_policy_none_they_fail_403()
    {
        await using var servers = await GalleryServers.StartAsync(CrawlSupport.SmallGallery(seed: 47));
        using var folder = new TestFolder();
        var withReferer = folder.Combine("with");
        var without = folder.Combine("without");
        string[] common = ["--no-progress", "--max-page-size", "128K"];
        var protectedImages = servers.Main.GalleryImages.Where(i => i.Path.StartsWith("/protected/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(protectedImages);

        var first = await HaulProcess.RunAsync(folder.Path, ["crawl", servers.StartUri.AbsoluteUri, "-o", withReferer, .. common], timeout: TimeSpan.FromSeconds(60));

        Assert.True(first.ExitCode == 1, first.ToString());
        await CrawlSupport.AssertEveryImageSavedAsync(servers, withReferer);
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/protected/", 403));
        Assert.Equal([new Uri(servers.Main.BaseUri, HugePage).AbsoluteUri], CrawlSupport.FailedUrls(withReferer));

        var second = await HaulProcess.RunAsync(folder.Path, ["crawl", servers.StartUri.AbsoluteUri, "-o", without, "--referer-policy", "none", .. common], timeout: TimeSpan.FromSeconds(60));

        Assert.True(second.ExitCode == 1, second.ToString());
        Support.AssertNoStackTrace(second);
        Assert.True(servers.Main.Counters.RequestsUnder("/protected/", 403) >= protectedImages.Count);
        using var report = Support.ParseReport(without);
        var failures = report.RootElement.GetProperty("failures").EnumerateArray()
            .Where(f => f.GetProperty("url").GetString()!.Contains("/protected/", StringComparison.Ordinal)).ToList();
        Assert.Equal(CrawlSupport.Ordered(protectedImages.Select(i => i.Url.AbsoluteUri)), CrawlSupport.Ordered(failures.Select(f => f.GetProperty("url").GetString()!)));
        Assert.All(failures, f => Assert.Equal(403, f.GetProperty("status").GetInt32()));
        Assert.All(protectedImages, i => Assert.False(File.Exists(Support.MappedPath(without, i.Url)), $"{i.Url} was saved without a Referer"));

        // Every other image arrived all the same.
        foreach (var image in servers.Main.GalleryImages.Except(protectedImages))
        {
            var path = Support.MappedPath(without, image.Url);
            Assert.True(File.Exists(path), $"{image.Url} has no file at {path}");
        }

        Assert.Equal(
            CrawlSupport.Ordered([new Uri(servers.Main.BaseUri, HugePage).AbsoluteUri, .. protectedImages.Select(i => i.Url.AbsoluteUri)]),
            CrawlSupport.Ordered(CrawlSupport.FailedUrls(without)));
    }
}
