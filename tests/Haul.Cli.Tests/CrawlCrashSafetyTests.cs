using System.Diagnostics;
using System.Globalization;
using Haul.TestServer;
using Xunit.Abstractions;

namespace Haul.Cli.Tests;

public sealed class CrawlCrashSafetyTests(ITestOutputHelper output)
{
    private const int KillCount = 3;
    private const int MaxReruns = 4;
    private const string HugePage = "/gallery/huge.html";

    [Fact]
    public async Task Crawl_killed_with_sigkill_three_times_then_rerun_ends_as_an_uninterrupted_crawl_and_fetches_no_done_page_or_image_again()
    {
        await using var servers = await GalleryServers.StartAsync(new HostileServerOptions
        {
            Seed = 20261127,
            FileCount = 0,
            Faults = FaultProfile.Moderate,
            StallDuration = TimeSpan.FromSeconds(3),
            Gallery = new GalleryOptions
            {
                Pages = 30,
                SlotsPerPage = 18,
                HugePageBytes = 256 * 1024,
                MinImageSize = 16 * 1024,
                MaxImageSize = 256 * 1024,
            },
        });
        using var folder = new TestFolder();
        var outFolder = folder.Combine("out");
        var random = new Random(20261127);
        string[] args =
        [
            "crawl", servers.StartUri.AbsoluteUri, "-o", outFolder, "--no-progress",
            "-j", "8", "--read-timeout", "2", "--retry-delay", "0.1", "--retry-max-delay", "1", "--max-page-size", "128K",
        ];
        var expected = servers.Main.GalleryImages;
        var expectedPages = CrawlSupport.FetchedPageUrls(servers);
        var hugeUrl = new Uri(servers.Main.BaseUri, HugePage).AbsoluteUri;

        // For each item first seen done: the complete bodies its server had sent by then, which must never grow.
        var completeBodiesWhenFirstSeenDone = new Dictionary<string, (HostileServer Server, string Path, int Count)>(StringComparer.Ordinal);
        var killsMidCrawl = 0;
        var history = new List<string>();
        for (var kill = 0; kill < KillCount; kill++)
        {
            // Counted from the run's first requests, not from the start of the process: a loaded machine may take a second
            // or more to start the runtime, and the kill must land inside the crawl, at a random moment of it.
            var delay = TimeSpan.FromMilliseconds(random.Next(300, 4001));
            var requestsBefore = Requests(servers);
            await using var process = await HaulProcess.StartAsync(folder.Path, args);
            await WaitForRequestsAsync(process, servers, requestsBefore, TimeSpan.FromSeconds(30));
            await Task.Delay(delay);
            var killed = await process.KillAsync();

            // 137 = 128 + SIGKILL: the process was running and died without any chance to clean up.
            var sigkilled = killed.ExitCode == 137;
            Assert.True(sigkilled || killed.ExitCode is 0 or 1, killed.ToString());

            var items = await CrawlSupport.ReadItemsAsync(outFolder);
            var done = items.Where(r => r.State == JournalRow.Done).ToList();
            var imagesDone = done.Count(r => r.Kind == CrawlRow.File);
            history.Add(string.Create(CultureInfo.InvariantCulture,
                $"kill {kill + 1} {delay.TotalMilliseconds} ms into the run: {(sigkilled ? "killed" : $"had exited {killed.ExitCode}")}, {done.Count - imagesDone} pages and {imagesDone} images done of {items.Count} items"));
            if (sigkilled && done.Count > 0 && imagesDone < expected.Count)
            {
                killsMidCrawl++;
            }

            // Done in the journal means the image is complete and correct on disk, even right after SIGKILL.
            foreach (var row in done.Where(r => r.Kind == CrawlRow.File))
            {
                var server = CrawlSupport.ServerOf(servers, row.Uri);
                var path = Support.MappedPath(outFolder, row.Uri);
                Assert.True(File.Exists(path), $"{row.Url} is done but has no file at {path}");
                Assert.Equal(server.GetFile(row.Uri.AbsolutePath).Sha256Hex, await Support.Sha256OfFileAsync(path));
            }

            // The query-trap pages share one path: their counts cannot tell one page from another.
            foreach (var row in done.Where(r => r.Uri.Query.Length == 0))
            {
                var server = CrawlSupport.ServerOf(servers, row.Uri);
                completeBodiesWhenFirstSeenDone.TryAdd(row.Url, (server, row.Uri.AbsolutePath, server.Counters.CompleteBodiesSentFor(row.Uri.AbsolutePath)));
            }
        }

        HaulResult? last = null;
        for (var run = 0; run < MaxReruns && !(last is not null && Finished(last, outFolder, hugeUrl)); run++)
        {
            var started = Stopwatch.StartNew();
            // A hang guard, not a speed bound: the moderate profile's 429s and 503s carry Retry-After, each pausing its
            // host, and the hosts' controllers slow down for them (no lower than half of what a host answered).
            last = await HaulProcess.RunAsync(folder.Path, args, timeout: TimeSpan.FromSeconds(180));
            history.Add(string.Create(CultureInfo.InvariantCulture, $"rerun {run + 1}: exit {last.ExitCode} after {started.Elapsed.TotalSeconds:0.0} s"));
            Assert.True(last.ExitCode is 0 or 1, last.ToString());
        }

        var story = string.Join('\n', history);
        output.WriteLine(story);

        // The huge page fails as it does in an uninterrupted crawl, and it alone: exit 1, "some failed".
        Assert.True(last!.ExitCode == 1 && Finished(last, outFolder, hugeUrl), $"{story}\n{last}");
        Assert.True(killsMidCrawl > 0, "no kill landed while the crawl was half done:\n" + story);

        var rows = await CrawlSupport.ReadItemsAsync(outFolder);
        Assert.Equal(
            CrawlSupport.Ordered(expected.Select(e => e.Url.AbsoluteUri)),
            CrawlSupport.Ordered(rows.Where(r => r.Kind == CrawlRow.File && r.State == JournalRow.Done).Select(r => r.Url)));
        Assert.All(rows.Where(r => r.Kind == CrawlRow.File && r.State != JournalRow.Done), r =>
        {
            Assert.True(r.State == JournalRow.Skipped, $"{r.Url}: state {r.State} ({r.LastReason})");
            Assert.Contains("/private/", r.Url, StringComparison.Ordinal);
        });
        await CrawlSupport.AssertEveryImageSavedAsync(servers, outFolder);

        var pages = rows.Where(r => r.Kind == CrawlRow.Page).ToList();
        Assert.Equal(CrawlSupport.Ordered(expectedPages), CrawlSupport.Ordered(pages.Where(p => p.State is JournalRow.Done or JournalRow.Failed).Select(p => p.Url)));
        var failedPage = Assert.Single(pages, p => p.State == JournalRow.Failed);
        Assert.Equal(hugeUrl, failedPage.Url);
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/private/"));
        Assert.Equal(0, servers.Cdn.Counters.RequestsUnder("/offsite/"));

        var parts = Path.Combine(outFolder, ".haul", "parts");
        Assert.DoesNotContain(Support.AllFiles(parts), f => f.EndsWith(".part", StringComparison.Ordinal));

        Assert.NotEmpty(completeBodiesWhenFirstSeenDone);
        foreach (var (url, (server, path, count)) in completeBodiesWhenFirstSeenDone)
        {
            Assert.True(count == server.Counters.CompleteBodiesSentFor(path),
                $"{url} was done after a kill with {count} complete bodies sent, but the server sent {server.Counters.CompleteBodiesSentFor(path)} by the end\n{story}");
        }

        Assert.True(servers.Main.Counters.FaultsByKind.Values.Sum() > 0, "no fault was injected");
    }

    /// <summary>A run is over when its report names the huge page as its only failure (what an uninterrupted crawl ends with).</summary>
    private static bool Finished(HaulResult result, string output, string hugeUrl)
    {
        if (result.ExitCode is not (0 or 1) || !File.Exists(Path.Combine(output, "report.json")))
        {
            return false;
        }

        using var report = Support.ParseReport(output);
        var failures = report.RootElement.GetProperty("failures").EnumerateArray().Select(f => f.GetProperty("url").GetString()).ToList();
        return report.RootElement.GetProperty("pending").GetInt32() == 0 && failures.Count == 1 && failures[0] == hugeUrl;
    }

    /// <summary>Waits until the servers have answered more than <paramref name="requestsBefore"/> requests (robots.txt and a page or two), or the process has exited.</summary>
    private static async Task WaitForRequestsAsync(HaulProcess process, GalleryServers servers, long requestsBefore, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!process.HasExited && DateTime.UtcNow < deadline && Requests(servers) <= requestsBefore + 2)
        {
            await Task.Delay(20);
        }
    }

    private static long Requests(GalleryServers servers) => servers.Main.Counters.Requests + servers.Cdn.Counters.Requests;
}
