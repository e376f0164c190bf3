using System.Text.Json;
using Haul.Engine;
using Haul.Journal;
using Haul.Reporting;
using Haul.TestServer;

namespace Haul.Tests.Crawling;

/// <summary>Crawls of the test server's gallery site, whose generator knows the exact set of full-size images.</summary>
[Collection(NetworkTests.Name)]
public sealed class CrawlJobTests
{
    private static HostileServerOptions Gallery(FaultProfile faults, int seed = 5) => new()
    {
        Seed = seed,
        FileCount = 0,
        Faults = faults,
        StallDuration = TimeSpan.FromSeconds(3),
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
    public async Task A_crawl_downloads_exactly_the_generators_set_of_full_size_images()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None));
        using var folder = new TempFolder();
        var report = await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl, [servers.StartUri]);

        var expected = servers.Main.GalleryImages;
        Assert.NotEmpty(expected);
        var items = await TestSupport.ReadJournalAsync(folder.Path);
        var images = items.Where(i => i.Item.Kind == ItemKind.File).Select(i => i.Item).ToList();
        Assert.Equal(
            expected.Select(e => e.Url.AbsoluteUri).Order(StringComparer.Ordinal),
            images.Where(i => i.State == ItemState.Done).Select(i => i.Url).Order(StringComparer.Ordinal));
        // Images found only under a Disallow are items skipped by robots.txt, never requested.
        Assert.All(images.Where(i => i.State != ItemState.Done), i =>
        {
            Assert.Equal(ItemState.Skipped, i.State);
            Assert.Equal("robots", i.Note);
            Assert.Contains("/private/", i.Url, StringComparison.Ordinal);
        });
        foreach (var image in expected)
        {
            var path = TestSupport.SavedPath(folder.Path, image.Url);
            Assert.Equal(image.Sha256, TestSupport.Sha256OfFile(path));
        }

        // Every page a correct crawl fetches is read; nothing else was asked for.
        var pages = items.Where(i => i.Item.Kind == ItemKind.Page).Select(i => i.Item).ToList();
        var fetched = servers.Main.GalleryPages.Where(p => p.Fetched).Select(p => new Uri(servers.Main.BaseUri, p.PathAndQuery).AbsoluteUri).ToHashSet();
        Assert.Equal(fetched.Order(StringComparer.Ordinal), pages.Where(p => p.State is ItemState.Done or ItemState.Failed).Select(p => p.Url).Order(StringComparer.Ordinal));
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/private/"));
        Assert.Equal(0, servers.Cdn.Counters.RequestsUnder("/offsite/"));
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/img/thumb/"));
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/protected/", 403));
        Assert.Equal(1, servers.Main.Counters.RequestsFor("/robots.txt"));

        // The calendar trap ended by itself, and the oversized, empty and malformed pages are reported.
        Assert.True(servers.Main.Counters.RequestsUnder("/calendar/") <= 9, $"{servers.Main.Counters.RequestsUnder("/calendar/")} calendar pages");
        var huge = Assert.Single(pages, p => p.Url.EndsWith("/gallery/huge.html", StringComparison.Ordinal));
        Assert.Equal(ItemState.Failed, huge.State);
        Assert.Equal(Haul.Fetching.FailureReason.TooLarge, huge.LastReason);
        Assert.Equal("empty page", Assert.Single(pages, p => p.Url.EndsWith("/gallery/empty.html", StringComparison.Ordinal)).Note);
        Assert.StartsWith("malformed HTML", Assert.Single(pages, p => p.Url.EndsWith("/gallery/broken.html", StringComparison.Ordinal)).Note, StringComparison.Ordinal);

        Assert.Equal(expected.Count, report.Done - report.Pages!.Done);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder.Path, ReportWriter.ReportFileName)));
        var rules = json.RootElement.GetProperty("skippedEntries").EnumerateArray().Select(e => e.GetProperty("rule").GetString()).ToList();
        Assert.Contains("barren-chain", rules);
        Assert.Contains("repeated-segment", rules);
        // The query trap shows only the logo, so the barren chain ends it before its query grows past 16 parameters
        // (query-growth itself is covered by the trap rules' own tests).
        Assert.Contains(rules, r => r == "barren-chain");
        Assert.Contains("robots", rules);
        Assert.Contains(json.RootElement.GetProperty("pageNotes").EnumerateArray(), n => n.GetProperty("note").GetString() == "empty page");
    }

    [Fact]
    public async Task Images_jsonl_names_every_saved_image_with_its_pages_and_sends_each_page_as_referer()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 9));
        using var folder = new TempFolder();
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl, [servers.StartUri]);

        var lines = await File.ReadAllLinesAsync(Path.Combine(folder.Path, ImageListWriter.FileName));
        var expected = servers.Main.GalleryImages;
        Assert.Equal(expected.Count, lines.Length);
        foreach (var line in lines)
        {
            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            var image = Assert.Single(expected, e => e.Url.AbsoluteUri == root.GetProperty("url").GetString());
            Assert.Equal(image.Sha256, root.GetProperty("sha256").GetString());
            Assert.Equal(image.Size, root.GetProperty("bytes").GetInt64());
            Assert.Equal(image.ContentType, root.GetProperty("contentType").GetString());
            Assert.True(File.Exists(Path.Combine(folder.Path, root.GetProperty("path").GetString()!)));
            var pages = root.GetProperty("pages").EnumerateArray().Select(p => p.GetProperty("url").GetString()!).ToList();
            Assert.NotEmpty(pages);
            Assert.All(pages, p => Assert.StartsWith(servers.Main.BaseUri.AbsoluteUri, p, StringComparison.Ordinal));
        }

        // Every image request carried the page it was found on.
        var imageRequests = servers.Main.Counters.Log.Concat(servers.Cdn.Counters.Log)
            .Where(r => r.Path.StartsWith("/img/", StringComparison.Ordinal) || r.Path.StartsWith("/cdn/", StringComparison.Ordinal) || r.Path.StartsWith("/protected/", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(imageRequests);
        Assert.All(imageRequests, r => Assert.StartsWith(servers.Main.BaseUri.AbsoluteUri, r.Referer ?? "(none)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_crawl_through_the_hostile_fault_mix_ends_with_every_image_byte_identical_and_every_page_read()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.Hostile, seed: 11));
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path) with { MaxAttempts = 12 };
        await CrawlJob.RunAsync(options, Crawl, [servers.StartUri]);

        var items = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).ToList();
        foreach (var image in servers.Main.GalleryImages)
        {
            var row = Assert.Single(items, i => i.Url == image.Url.AbsoluteUri);
            Assert.True(row.State == ItemState.Done, $"{image.Url}: {row.State} {row.LastReason} {row.LastDetail}");
            var served = servers.HostOf(image).GetFile(image.Path);
            Assert.True(served.Sha256Hex == TestSupport.Sha256OfFile(TestSupport.SavedPath(folder.Path, image.Url)), $"{image.Url} differs from version {served.Version} served");
        }

        Assert.Equal(servers.Main.GalleryImages.Count, items.Count(i => i.Kind == ItemKind.File && i.State == ItemState.Done));
        var pages = items.Where(i => i.Kind == ItemKind.Page).ToList();
        Assert.All(pages.Where(p => !p.Url.EndsWith("/huge.html", StringComparison.Ordinal) && p.State != ItemState.Skipped),
            p => Assert.True(p.State == ItemState.Done, $"{p.Url}: {p.State} {p.LastReason} {p.LastDetail}"));
        Assert.True(servers.Main.Counters.FaultsByKind.Values.Sum() > 0, "no fault was injected");
    }

    [Fact]
    public async Task A_second_run_of_a_finished_crawl_fetches_no_page_or_image_again()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 13));
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path);
        await CrawlJob.RunAsync(options, Crawl, [servers.StartUri]);
        var before = servers.Main.Counters.Requests + servers.Cdn.Counters.Requests;
        var robots = servers.Main.Counters.RequestsFor("/robots.txt") + servers.Cdn.Counters.RequestsFor("/robots.txt");

        var again = await CrawlJob.RunAsync(options, Crawl, [servers.StartUri]);

        // Only robots.txt is asked for again (a new run reads the rules afresh); the huge page failed, so it is tried again.
        var after = servers.Main.Counters.Requests + servers.Cdn.Counters.Requests;
        var robotsAfter = servers.Main.Counters.RequestsFor("/robots.txt") + servers.Cdn.Counters.RequestsFor("/robots.txt");
        Assert.Equal(1, after - before - (robotsAfter - robots));
        Assert.Equal(1, again.Failed);
    }

    [Fact]
    public async Task Max_depth_zero_reads_only_the_start_page_and_list_mode_saves_nothing()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 17));
        using var folder = new TempFolder();
        var listed = new List<Uri>();
        var progress = new JobProgress();
        progress.ImageListed += url =>
        {
            lock (listed)
            {
                listed.Add(url);
            }
        };
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl with { MaxDepth = 0, ListOnly = true }, [servers.StartUri], progress);

        Assert.Equal(1, servers.Main.Counters.RequestsFor("/gallery/"));
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/gallery/page/"));
        Assert.NotEmpty(listed);
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(0, servers.Main.Counters.RequestsUnder("/img/"));
        Assert.DoesNotContain(Directory.EnumerateFiles(folder.Path, "*", SearchOption.AllDirectories), f => !f.Contains(".haul", StringComparison.Ordinal) && f.EndsWith(".jpg", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Robots_crawl_delay_spaces_the_starts_of_the_hosts_requests()
    {
        var options = Gallery(FaultProfile.None, seed: 19) with
        {
            Gallery = new GalleryOptions { Pages = 1, SlotsPerPage = 4, CrawlDelay = 0.1, HugePageBytes = 64 * 1024, MinImageSize = 1024, MaxImageSize = 2048 },
        };
        await using var servers = await GalleryServers.StartAsync(options);
        using var folder = new TempFolder();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl with { MaxPageBytes = 32 * 1024 }, [servers.StartUri]);
        clock.Stop();

        // robots.txt itself comes first and is not spaced; every other request of the host starts 0.1 s after the last.
        var requests = servers.Main.Counters.Requests - servers.Main.Counters.RequestsFor("/robots.txt");
        Assert.True(requests >= 10, $"only {requests} requests");
        var least = TimeSpan.FromSeconds(0.1 * (requests - 1));
        Assert.True(clock.Elapsed >= least, $"{requests} requests in {clock.Elapsed}, less than {least}");
    }

    [Fact]
    public async Task By_page_puts_each_image_in_a_folder_of_the_page_it_was_first_found_on()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 23));
        using var folder = new TempFolder();
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl with { ByPage = true }, [servers.StartUri]);

        var host = $"127.0.0.1_{servers.Main.BaseUri.Port}";
        var byUrl = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).Where(i => i.Kind == ItemKind.File && i.State == ItemState.Done)
            .ToDictionary(i => i.Url, StringComparer.Ordinal);
        var expected = servers.Main.GalleryImages;
        Assert.Equal(expected.Count, byUrl.Count);
        foreach (var image in expected)
        {
            var item = byUrl[image.Url.AbsoluteUri];
            var page = new Uri(item.Source!);
            Assert.Equal(PagePaths.ByPage(page, image.Url), item.ChosenPath);
            Assert.StartsWith(host + "/", item.OutputPath!, StringComparison.Ordinal);
            Assert.Equal(image.Sha256, TestSupport.Sha256OfFile(Path.Combine(folder.Path, item.OutputPath!)));
        }

        Assert.Contains(byUrl.Values, i => i.OutputPath!.StartsWith(host + "/gallery/page/2/", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, host, "img")), "an image was saved by its own URL");
    }

    [Fact]
    public async Task By_page_with_save_pages_keeps_each_pages_images_in_its_folder_beside_the_saved_page()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 61));
        using var folder = new TempFolder();
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl with { ByPage = true, SavePages = true }, [servers.StartUri]);

        var host = $"127.0.0.1_{servers.Main.BaseUri.Port}";
        var images = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).Where(i => i.Kind == ItemKind.File && i.State == ItemState.Done).ToList();
        Assert.Equal(servers.Main.GalleryImages.Count, images.Count);

        // Page 2 (no extension in its URL): its images all in one folder gallery/page/2/, the page itself beside it.
        var page = new Uri(servers.Main.BaseUri, "/gallery/page/2");
        var pageFolder = Path.Combine(folder.Path, host, "gallery", "page", "2");
        var ofPage = images.Where(i => i.Source == page.AbsoluteUri).ToList();
        Assert.True(ofPage.Count > 1, $"{ofPage.Count} images first found on {page}");
        Assert.True(Directory.Exists(pageFolder), $"{pageFolder} is not a folder");
        Assert.Equal(
            ofPage.Select(i => Path.GetFileName(i.OutputPath!)).Order(StringComparer.Ordinal),
            Directory.GetFiles(pageFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var (_, body, _) = await GetAsync(page);
        Assert.Equal(body, await File.ReadAllBytesAsync(pageFolder + ".html"));

        // No image was given a name of its own to make way for a page.
        Assert.All(images, i => Assert.Equal(i.ChosenPath, i.OutputPath));
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(folder.Path, host, "gallery", "page")), d => Path.GetFileName(d).Contains('~', StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_start_page_that_redirects_to_another_host_makes_that_host_the_crawls_site()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 29));
        using var folder = new TempFolder();
        var start = new Uri(servers.Cdn.BaseUri, "/redirect-to?url=" + Uri.EscapeDataString(servers.StartUri.AbsoluteUri) + "&status=301");

        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl, [start]);

        // Both hosts are the crawl's site now: the gallery's, and the one the user named, whose off-site page the
        // gallery links (and whose one image is then taken too).
        var items = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).ToList();
        var done = items.Where(i => i.Kind == ItemKind.File && i.State == ItemState.Done).Select(i => i.Url).ToHashSet();
        Assert.Subset(done, servers.Main.GalleryImages.Select(e => e.Url.AbsoluteUri).ToHashSet());
        Assert.All(done.Except(servers.Main.GalleryImages.Select(e => e.Url.AbsoluteUri)), u => Assert.StartsWith(servers.Cdn.BaseUri.AbsoluteUri, u, StringComparison.Ordinal));
        Assert.True(servers.Cdn.Counters.RequestsUnder("/offsite/") > 0, "the named host's pages were not followed");
        var redirected = Assert.Single(items, i => i.Url.Contains("/redirect-to", StringComparison.Ordinal));
        Assert.Equal(ItemState.Done, redirected.State);
        Assert.Equal("redirected to " + servers.StartUri.AbsoluteUri, redirected.Note);
        Assert.Equal(0, Assert.Single(items, i => i.Url == servers.StartUri.AbsoluteUri).Depth);
    }

    [Fact]
    public async Task Relative_links_of_a_page_reached_by_a_redirect_resolve_against_where_it_landed()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 31));
        using var folder = new TempFolder();

        // /redirect/1/gallery/ sends the crawl to /gallery/ by two redirects, the first path-absolute.
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl, [new Uri(servers.Main.BaseUri, "/redirect/1/gallery/")]);

        var done = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).Where(i => i.State == ItemState.Done && i.Kind == ItemKind.File).ToList();
        Assert.Equal(servers.Main.GalleryImages.Count, done.Count);
        Assert.Equal(2, servers.Main.Counters.RequestsUnder("/redirect/"));
    }

    [Fact]
    public async Task Verify_on_a_crawls_folder_checks_its_images_and_passes_over_its_pages()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 37));
        using var folder = new TempFolder();
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl, [servers.StartUri]);
        var image = servers.Main.GalleryImages[0];
        File.Delete(TestSupport.SavedPath(folder.Path, image.Url));

        var verified = await JobVerifier.VerifyAsync(folder.Path, null, CancellationToken.None);

        Assert.Equal(servers.Main.GalleryImages.Count, verified.Checked);
        Assert.Equal(image.Url.AbsoluteUri, Assert.Single(verified.Problems).Url);
    }

    [Fact]
    public async Task Verify_checks_the_pages_save_pages_kept_and_not_one_it_could_not_save()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 73));
        using var folder = new TempFolder();
        var host = $"127.0.0.1_{servers.Main.BaseUri.Port}";

        // A folder where page 2's file belongs: the page is read, noted "not saved", and its path stays claimed.
        Directory.CreateDirectory(Path.Combine(folder.Path, host, "gallery", "page", "2.html"));
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl with { SavePages = true }, [servers.StartUri]);
        var done = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).Where(i => i.State == ItemState.Done).ToList();
        var unsaved = Assert.Single(done, i => i.Url == new Uri(servers.Main.BaseUri, "/gallery/page/2").AbsoluteUri);
        Assert.Equal(host + "/gallery/page/2.html", unsaved.OutputPath);
        Assert.Contains("not saved", unsaved.Note, StringComparison.Ordinal);
        var savedPages = done.Count(i => i.Kind == ItemKind.Page && i.OutputPath is not null && i != unsaved);
        Assert.True(savedPages > 3, $"{savedPages} pages saved");
        var files = done.Count(i => i.Kind == ItemKind.File) + savedPages;

        var intact = await JobVerifier.VerifyAsync(folder.Path, null, CancellationToken.None);

        Assert.Empty(intact.Problems);
        Assert.Equal(files, intact.Checked);

        var start = Path.Combine(folder.Path, host, "gallery", "index.html");
        await File.AppendAllTextAsync(start, "<!-- changed -->");

        var changed = await JobVerifier.VerifyAsync(folder.Path, null, CancellationToken.None);

        Assert.Equal(files, changed.Checked);
        var problem = Assert.Single(changed.Problems);
        Assert.Equal(host + "/gallery/index.html", problem.OutputPath);
        Assert.Equal(servers.StartUri.AbsoluteUri, problem.Url);
        var reopened = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).Single(i => i.Url == servers.StartUri.AbsoluteUri);
        Assert.Equal(ItemState.Pending, reopened.State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_calendar_trap_ends_although_every_month_shows_the_logo_even_when_filtered_out_or_only_listed(bool list)
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 41));
        using var folder = new TempFolder();

        // The logo is a PNG: with --accept jpg it is never kept, so it must not count as something new on every month.
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl with { Extensions = ["jpg"], ListOnly = list }, [servers.StartUri]);

        var months = servers.Main.Counters.RequestsUnder("/calendar/");
        Assert.True(months is > 0 and <= 9, $"{months} calendar pages fetched");
    }

    [Fact]
    public async Task A_rerun_fetches_done_images_that_went_missing_or_changed_and_no_others()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 43));
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path);
        await CrawlJob.RunAsync(options, Crawl, [servers.StartUri]);
        var missing = servers.Main.GalleryImages.First(i => !i.OnCdn);
        var changed = servers.Main.GalleryImages.Last(i => !i.OnCdn);
        File.Delete(TestSupport.SavedPath(folder.Path, missing.Url));
        await File.WriteAllTextAsync(TestSupport.SavedPath(folder.Path, changed.Url), "junk");
        var before = servers.Main.Counters.CompleteBodiesSentFor(missing.Path) + servers.Main.Counters.CompleteBodiesSentFor(changed.Path);
        // Besides the two, only robots.txt (read by every run) and the oversized page (failed, so tried again) are asked for.
        long Others() => servers.Main.Counters.Requests - servers.Main.Counters.RequestsFor("/robots.txt") - servers.Main.Counters.RequestsFor("/gallery/huge.html");
        var othersBefore = Others();

        await CrawlJob.RunAsync(options, Crawl, [servers.StartUri]);

        Assert.Equal(missing.Sha256, TestSupport.Sha256OfFile(TestSupport.SavedPath(folder.Path, missing.Url)));
        Assert.Equal(changed.Sha256, TestSupport.Sha256OfFile(TestSupport.SavedPath(folder.Path, changed.Url)));
        Assert.Equal(before + 2, servers.Main.Counters.CompleteBodiesSentFor(missing.Path) + servers.Main.Counters.CompleteBodiesSentFor(changed.Path));
        Assert.Equal(othersBefore + 2, Others());
    }

    [Fact]
    public async Task A_rerun_fetches_saved_pages_that_went_missing_or_changed_and_keeps_the_note_of_one_only_touched()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 103));
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path);
        await CrawlJob.RunAsync(options, Crawl with { SavePages = true }, [servers.StartUri]);
        var host = Path.Combine(folder.Path, $"127.0.0.1_{servers.Main.BaseUri.Port}");
        var missing = Path.Combine(host, "gallery", "page", "2.html");
        var changed = Path.Combine(host, "gallery", "page", "3.html");
        var touched = Path.Combine(host, "gallery", "broken.html");
        var (missingBytes, changedBytes) = (await File.ReadAllBytesAsync(missing), await File.ReadAllBytesAsync(changed));
        var broken = new Uri(servers.Main.BaseUri, "/gallery/broken.html").AbsoluteUri;
        var note = (await TestSupport.ReadJournalAsync(folder.Path)).Single(i => i.Item.Url == broken).Item.Note;
        Assert.Contains("malformed", note, StringComparison.Ordinal);
        File.Delete(missing);
        await File.WriteAllTextAsync(changed, "junk");
        File.SetLastWriteTimeUtc(touched, File.GetLastWriteTimeUtc(touched).AddMinutes(-5));
        long Pages() => servers.Main.Counters.RequestsUnder("/gallery/") - servers.Main.Counters.RequestsFor("/gallery/huge.html");
        var before = Pages();

        await CrawlJob.RunAsync(options, Crawl with { SavePages = true }, [servers.StartUri]);

        Assert.Equal(missingBytes, await File.ReadAllBytesAsync(missing));
        Assert.Equal(changedBytes, await File.ReadAllBytesAsync(changed));
        Assert.Equal(before + 2, Pages());
        Assert.Equal(note, (await TestSupport.ReadJournalAsync(folder.Path)).Single(i => i.Item.Url == broken).Item.Note);
    }

    [Fact]
    public async Task A_start_page_that_is_an_image_fails_saying_so()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 47));
        using var folder = new TempFolder();
        var image = servers.Main.GalleryImages.First(i => !i.OnCdn);

        var report = await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl, [image.Url]);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(Haul.Fetching.FailureReason.NotAPage, failure.Item.LastReason);
        Assert.Contains("haul get", failure.Item.LastDetail, StringComparison.Ordinal);
        Assert.Single(failure.Attempts);
    }

    [Fact]
    public async Task Save_pages_keeps_each_page_read_at_its_mirrored_path()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 53));
        using var folder = new TempFolder();
        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl with { SavePages = true }, [servers.StartUri]);

        var host = Path.Combine(folder.Path, $"127.0.0.1_{servers.Main.BaseUri.Port}");
        var first = await File.ReadAllTextAsync(Path.Combine(host, "gallery", "index.html"));
        var (_, body, _) = await GetAsync(servers.StartUri);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(body), first);
        Assert.True(File.Exists(Path.Combine(host, "gallery", "page", "2.html")), "page 2 was not kept as an HTML file");
        var pages = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).Where(i => i.Kind == ItemKind.Page && i.State == ItemState.Done && i.Bytes > 0).ToList();
        Assert.All(pages, p => Assert.NotNull(p.OutputPath));
        Assert.Equal(servers.Main.GalleryImages.Count, (await TestSupport.ReadJournalAsync(folder.Path)).Count(i => i.Item.Kind == ItemKind.File && i.Item.State == ItemState.Done));
    }

    [Fact]
    public async Task A_crawl_and_a_list_job_never_share_an_output_folder()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 59));
        using var crawled = new TempFolder();
        using var listed = new TempFolder();
        await CrawlJob.RunAsync(TestSupport.FastOptions(crawled.Path), Crawl with { MaxDepth = 0 }, [servers.StartUri]);
        var image = servers.Main.GalleryImages[0].Url;
        await DownloadJob.RunAsync(TestSupport.FastOptions(listed.Path), TestSupport.Batch(image));
        var before = servers.Main.Counters.Requests;

        var intoCrawl = await Assert.ThrowsAsync<OutputFolderException>(() => DownloadJob.RunAsync(TestSupport.FastOptions(crawled.Path), TestSupport.Batch(image)));
        var intoList = await Assert.ThrowsAsync<OutputFolderException>(() => CrawlJob.RunAsync(TestSupport.FastOptions(listed.Path), Crawl, [servers.StartUri]));

        Assert.Contains("holds a crawl", intoCrawl.Message, StringComparison.Ordinal);
        Assert.Contains("holds a list job", intoList.Message, StringComparison.Ordinal);
        Assert.Equal(before, servers.Main.Counters.Requests);
    }

    [Fact]
    public async Task Min_size_skips_small_images_from_their_headers_without_taking_their_bodies()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 61));
        using var folder = new TempFolder();
        var sizes = servers.Main.GalleryImages.Select(i => i.Size).Order().ToList();
        var min = sizes[sizes.Count / 2];

        await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), Crawl with { MinBytes = min }, [servers.StartUri]);

        var items = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).ToDictionary(i => i.Url, StringComparer.Ordinal);
        foreach (var image in servers.Main.GalleryImages)
        {
            var item = items[image.Url.AbsoluteUri];
            if (image.Size < min)
            {
                Assert.Equal(ItemState.Skipped, item.State);
                Assert.Equal("min-bytes", item.Note);
                // The server may have pushed a small body into the socket already; Haul read none of it.
                Assert.All(await TestSupport.AttemptsOfAsync(folder.Path, image.Url), a => Assert.Equal(0, a.BytesReceived));
            }
            else
            {
                Assert.Equal(ItemState.Done, item.State);
            }
        }
    }

    [Fact]
    public async Task Credential_headers_go_only_to_a_start_pages_origin_never_to_a_host_a_page_names()
    {
        await using var servers = await GalleryServers.StartAsync(Gallery(FaultProfile.None, seed: 67));
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path) with { Headers = [new("Authorization", "Bearer secret"), new("X-Trace", "7")] };

        await CrawlJob.RunAsync(options, Crawl, [servers.StartUri]);

        var cdn = servers.Cdn.Counters.Log.Where(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cdn);
        Assert.All(cdn, r => Assert.Null(r.Authorization));
        Assert.All(cdn, r => Assert.Equal("7", r.Header("X-Trace")));
        Assert.All(servers.Main.Counters.Log.Where(r => r.Path != "/robots.txt"), r => Assert.Equal("Bearer secret", r.Authorization));

        // The image host learns the page's origin, not its path.
        Assert.All(cdn, r => Assert.Equal(servers.Main.BaseUri.AbsoluteUri, r.Referer));
    }

    private static async Task<(System.Net.HttpStatusCode Status, byte[] Body, string? ContentType)> GetAsync(Uri url)
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType);
    }
}
