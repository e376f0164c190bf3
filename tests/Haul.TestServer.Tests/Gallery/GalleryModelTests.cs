using System.Net;
using System.Text;

namespace Haul.TestServer.Tests;

public sealed class GalleryModelTests
{
    [Fact]
    public async Task Same_seed_gives_the_same_site_and_another_seed_differs()
    {
        await using var a = await GalleryPair.StartAsync(seed: 11);
        await using var b = await GalleryPair.StartAsync(seed: 11);
        await using var c = await GalleryPair.StartAsync(seed: 12);
        static string[] Set(HostileServer s) => [.. s.GalleryImages.Select(i => $"{i.OnCdn} {i.Path} {i.Size} {i.Sha256}")];
        Assert.Equal(Set(a.Main), Set(b.Main));
        Assert.NotEqual(Set(a.Main), Set(c.Main));
        Assert.Equal(a.Main.GalleryPages, b.Main.GalleryPages);
        foreach (var path in new[] { "/gallery/", "/gallery/page/4", "/gallery/based.html" })
        {
            Assert.Equal(a.Neutral(await a.PageAsync(path)), b.Neutral(await b.PageAsync(path)));
        }

        Assert.NotEqual(a.Neutral(await a.PageAsync("/gallery/page/4")), c.Neutral(await c.PageAsync("/gallery/page/4")));
    }

    [Fact]
    public async Task Expected_set_is_consistent_with_the_markup_of_the_fetched_pages()
    {
        await using var pair = await GalleryPair.StartAsync();
        var images = pair.Main.GalleryImages;
        var fetched = pair.Main.GalleryPages.Where(p => p.Fetched && p.Kind != GalleryPageKind.Huge).ToList();
        var markup = new StringBuilder();
        foreach (var page in fetched)
        {
            markup.Append(WebUtility.HtmlDecode(await pair.PageAsync(page.PathAndQuery))).Append('\n');
        }

        var text = markup.ToString();
        foreach (var image in images)
        {
            // The base-href page names its images relative to /img/.
            var relative = image.Path.StartsWith("/img/", StringComparison.Ordinal) ? image.Path["/img/".Length..] : image.Path;
            Assert.True(text.Contains(image.Path, StringComparison.Ordinal) || text.Contains(relative, StringComparison.Ordinal), image.Path);
        }

        Assert.Equal(images.Count, images.Select(i => i.Url).Distinct().Count());
        string[] never = ["/private/", "/img/thumb/", "/img/medium/", "/cdn/thumb/", "/cdn/medium/", "/static/blank.gif", "/offsite/"];
        Assert.DoesNotContain(images, i => never.Any(n => i.Path.StartsWith(n, StringComparison.Ordinal)));
        Assert.All(images, i => Assert.DoesNotContain("huge", i.Path, StringComparison.Ordinal));

        // Every form of the rules appears somewhere, and the markup names what is not expected.
        string[] forms =
        [
            "<picture>", "data-zoom-image=", "data-lazy-src=", "data-download-url=", "data-bigsrc=", "data-full=", "<noscript>",
            " 2x", " 1600w", "url(\"", "url('", "og:image", "twitter:image", "<base href=", "\"src=", "Tom & Jerry's", "data:image/gif",
            "rel=\"next\"", "Next »", "<link rel=\"next\"", "/gallery/photo/", "/private/full/", "/protected/full/",
            "//" + pair.Cdn.BaseUri.Authority + "/cdn/", pair.Cdn.BaseUri.AbsoluteUri + "cdn/full/",
        ];
        Assert.All(forms, f => Assert.Contains(f, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Page_list_names_every_page_and_where_each_trap_ends()
    {
        await using var pair = await GalleryPair.StartAsync();
        var pages = pair.Main.GalleryPages;
        Assert.Equal("/gallery/", pages[0].PathAndQuery);
        Assert.Equal(6, pages.Count(p => p.Kind == GalleryPageKind.Listing));
        Assert.Equal(pages.Count, pages.Select(p => (p.OnCdn, p.PathAndQuery)).Distinct().Count());
        Assert.Equal(["/gallery/more/", "/gallery/more/more/"], Fetched(GalleryPageKind.RepeatedSegmentTrap));
        Assert.Equal("/gallery/more/more/more/", Skipped(GalleryPageKind.RepeatedSegmentTrap, "repeated-segment"));
        Assert.Equal(8, Fetched(GalleryPageKind.QueryTrap).Length);
        Assert.Equal(9, Skipped(GalleryPageKind.QueryTrap, "barren-chain").Split('&').Length);
        Assert.Equal(8, Fetched(GalleryPageKind.Calendar).Length);
        Assert.Equal("/calendar/2024/09", Skipped(GalleryPageKind.Calendar, "barren-chain"));
        Assert.Equal("/private/index.html", Skipped(GalleryPageKind.Private, "robots"));
        Assert.Equal("/offsite/page.html", Skipped(GalleryPageKind.Offsite, "off-host"));
        Assert.Contains(pages, p => p.Kind == GalleryPageKind.Photo && p.Fetched);

        foreach (var page in pages.Where(p => p.Fetched))
        {
            var response = await RawHttp.RequestAsync(pair.Main, page.PathAndQuery, "HEAD");
            Assert.Equal(200, response.Status);
            Assert.StartsWith("text/html", response.Header("Content-Type"), StringComparison.Ordinal);
        }

        // Each fetched trap page links the next one, which is the page after it in the list.
        var sort = pages.Where(p => p.Kind == GalleryPageKind.QueryTrap).ToList();
        for (var i = 0; i + 1 < sort.Count; i++)
        {
            var html = WebUtility.HtmlDecode(await pair.PageAsync(sort[i].PathAndQuery));
            Assert.Contains("href=\"?" + sort[i + 1].PathAndQuery.Split('?')[1] + "\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("href=\"more/\"", await pair.PageAsync("/gallery/more/more/"), StringComparison.Ordinal);
        Assert.Contains("/img/full/broken.", await pair.PageAsync("/gallery/broken.html"), StringComparison.Ordinal);
        Assert.Equal(0, pair.Main.Counters.RequestsUnder("/private/"));

        string[] Fetched(GalleryPageKind kind) => [.. pages.Where(p => p.Kind == kind && p.Fetched).Select(p => p.PathAndQuery)];
        string Skipped(GalleryPageKind kind, string rule) => Assert.Single(pages, p => p.Kind == kind && !p.Fetched && p.SkipRule == rule).PathAndQuery;
    }

    [Fact]
    public async Task Pages_get_the_server_faults_but_never_a_random_soft_block()
    {
        await using var blocking = await GalleryPair.StartAsync(faults: FaultProfile.Parse("soft-block=1,max-faults-per-path=5"));
        var clean = await blocking.PageAsync("/gallery/page/2");
        Assert.Contains("Gallery, page 2", clean, StringComparison.Ordinal);
        Assert.Equal(0, blocking.Main.Counters.FaultsInjected(FaultKind.SoftBlock));
        var image = blocking.Main.GalleryImages.First(i => !i.OnCdn);
        var (status, body, type) = await GalleryPair.GetAsync(image.Url, blocking.Main.GalleryStartUri!.AbsoluteUri);
        Assert.Equal((HttpStatusCode.OK, "text/html"), (status, type));
        Assert.NotEqual(image.Sha256, TestSupport.Sha256(body));
        Assert.Equal(1, blocking.Main.Counters.FaultsInjected(FaultKind.SoftBlock));

        blocking.Main.Script("/gallery/page/3", FaultKind.SoftBlock);
        Assert.DoesNotContain("Gallery, page 3", await blocking.PageAsync("/gallery/page/3"), StringComparison.Ordinal);

        await using var busy = await GalleryPair.StartAsync(faults: FaultProfile.Parse("service-unavailable=1,max-faults-per-path=1"));
        Assert.Equal(503, (await RawHttp.RequestAsync(busy.Main, "/gallery/")).Status);
        Assert.Equal(200, (await RawHttp.RequestAsync(busy.Main, "/gallery/")).Status);
        Assert.Equal(200, (await RawHttp.RequestAsync(busy.Main, "/robots.txt")).Status);
    }

    [Fact]
    public async Task Request_log_keeps_the_query_of_trap_pages()
    {
        await using var pair = await GalleryPair.StartAsync();
        Assert.Equal(200, (await RawHttp.RequestAsync(pair.Main, "/gallery/sort/?sort=asc&f2=1")).Status);
        var record = Assert.Single(pair.Main.Counters.Log);
        Assert.Equal(("/gallery/sort/", "sort=asc&f2=1"), (record.Path, record.Query));
        Assert.Equal(1, pair.Main.Counters.RequestsUnder("/gallery/"));
        Assert.Equal(0, pair.Main.Counters.RequestsUnder("/calendar/"));
    }
}
