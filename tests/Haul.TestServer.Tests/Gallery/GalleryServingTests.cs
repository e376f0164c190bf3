using System.Net;
using System.Text;

namespace Haul.TestServer.Tests;

public sealed class GalleryServingTests
{
    [Fact]
    public async Task Every_expected_image_is_served_with_its_bytes_from_its_host()
    {
        await using var pair = await GalleryPair.StartAsync();
        var images = pair.Main.GalleryImages;
        var referer = pair.Main.GalleryStartUri!.AbsoluteUri;
        Assert.InRange(images.Count, 100, 200);
        Assert.Contains(images, i => i.OnCdn);
        Assert.Contains(images, i => i.Path.StartsWith("/protected/full/", StringComparison.Ordinal));
        Assert.Contains(images, i => i.Path == "/static/logo.png");
        foreach (var image in images)
        {
            var host = pair.HostOf(image);
            Assert.Equal(new Uri(host.BaseUri, image.Path), image.Url);
            var (status, body, type) = await GalleryPair.GetAsync(image.Url, referer);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(image.Size, body.Length);
            Assert.Equal(image.Sha256, TestSupport.Sha256(body));
            Assert.Equal(image.ContentType, type);
            Assert.Equal(image.ContentType, ImageSignatures.DetectContentType(body));
            Assert.Equal(image.Sha256, host.GetFile(image.Path).Sha256Hex);
        }

        Assert.Equal(images.Count(i => !i.OnCdn), pair.Main.Counters.Requests);
        Assert.Equal(images.Count(i => i.OnCdn), pair.Cdn.Counters.RequestsUnder("/cdn/full/"));
    }

    [Fact]
    public async Task Thumbnails_and_mid_sizes_differ_from_their_originals()
    {
        await using var pair = await GalleryPair.StartAsync();
        var originals = pair.Main.GalleryImages.Where(i => i.Path.StartsWith("/img/full/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(originals);
        foreach (var original in originals)
        {
            var thumb = pair.Main.GetFile(original.Path.Replace("/full/", "/thumb/", StringComparison.Ordinal));
            var medium = pair.Main.GetFile(original.Path.Replace("/full/", "/medium/", StringComparison.Ordinal));
            Assert.True(thumb.Size < medium.Size && medium.Size < original.Size, original.Path);
            Assert.Equal(3, new[] { thumb.Sha256Hex, medium.Sha256Hex, original.Sha256 }.Distinct().Count());
        }

        var first = originals[0].Path.Replace("/full/", "/thumb/", StringComparison.Ordinal);
        var (status, body, _) = await GalleryPair.GetAsync(new Uri(pair.Main.BaseUri, first));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(pair.Main.GetFile(first).Sha256Hex, TestSupport.Sha256(body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.5)]
    public async Task Robots_txt_disallows_private_for_everyone_and_everything_for_otherbot(double? crawlDelay)
    {
        await using var pair = await GalleryPair.StartAsync(crawlDelay: crawlDelay);
        var response = await RawHttp.RequestAsync(pair.Main, "/robots.txt");
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/plain", response.Header("Content-Type"), StringComparison.Ordinal);
        var lines = Encoding.UTF8.GetString(response.Body).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        string[] expected = crawlDelay is null
            ? ["User-agent: *", "Disallow: /private/", "User-agent: otherbot", "Disallow: /"]
            : ["User-agent: *", "Disallow: /private/", "Crawl-delay: 0.5", "User-agent: otherbot", "Disallow: /"];
        Assert.Equal(expected, lines);
        Assert.Equal(1, pair.Main.Counters.RequestsFor("/robots.txt"));
        Assert.Equal(200, (await RawHttp.RequestAsync(pair.Cdn, "/robots.txt")).Status);
    }

    [Fact]
    public async Task Hotlink_folder_answers_403_unless_the_referer_is_a_page_of_the_server()
    {
        await using var pair = await GalleryPair.StartAsync();
        var image = pair.Main.GalleryImages.First(i => i.Path.StartsWith("/protected/full/", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, (await GalleryPair.GetAsync(image.Url)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GalleryPair.GetAsync(image.Url, new Uri(pair.Cdn.BaseUri, "/gallery/").AbsoluteUri)).Status);
        var (status, body, _) = await GalleryPair.GetAsync(image.Url, new Uri(pair.Main.BaseUri, "/gallery/page/2").AbsoluteUri);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(image.Sha256, TestSupport.Sha256(body));
        Assert.Equal(2, pair.Main.Counters.RequestsUnder("/protected/", 403));
        Assert.Equal(3, pair.Main.Counters.RequestsUnder("/protected/"));
    }

    [Fact]
    public async Task Calendar_links_the_next_month_forever_with_no_image_but_the_logo()
    {
        await using var pair = await GalleryPair.StartAsync();
        var path = "/calendar/2024/01";
        for (var month = 0; month < 30; month++)
        {
            var html = await pair.PageAsync(path);
            Assert.Single(html.Split("<img").Skip(1));
            Assert.Contains("<img src=\"/static/logo.png\"", html, StringComparison.Ordinal);
            var next = System.Text.RegularExpressions.Regex.Match(html, "<a href=\"([^\"]+)\">Next month</a>").Groups[1].Value;
            var expected = new DateTime(2024, 1, 1).AddMonths(month + 1);
            Assert.Equal(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/calendar/{expected:yyyy}/{expected:MM}"), next);
            path = next;
        }

        Assert.Equal(30, pair.Main.Counters.RequestsUnder("/calendar/"));
        Assert.Equal(404, (await RawHttp.RequestAsync(pair.Main, "/calendar/2024/13")).Status);
    }

    [Fact]
    public async Task Huge_page_is_larger_than_the_limit_streamed_and_ranged()
    {
        await using var pair = await GalleryPair.StartAsync();
        var (status, body, type) = await GalleryPair.GetAsync(new Uri(pair.Main.BaseUri, "/gallery/huge.html"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/html", type);
        Assert.True(body.Length > 256 * 1024, body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var text = Encoding.UTF8.GetString(body);
        Assert.StartsWith("<!DOCTYPE html>", text, StringComparison.Ordinal);
        Assert.EndsWith("</body></html>\n", text, StringComparison.Ordinal);
        Assert.Contains("/img/full/huge-0.", text, StringComparison.Ordinal);
        Assert.DoesNotContain(pair.Main.GalleryImages, i => i.Path.Contains("huge", StringComparison.Ordinal));

        var ranged = await RawHttp.RequestAsync(pair.Main, "/gallery/huge.html", "GET", null, "Range: bytes=100000-100999");
        Assert.Equal(206, ranged.Status);
        Assert.Equal(body.AsSpan(100_000, 1000).ToArray(), ranged.Body);
    }

    [Fact]
    public async Task Empty_page_is_200_with_no_body()
    {
        await using var pair = await GalleryPair.StartAsync();
        var response = await RawHttp.RequestAsync(pair.Main, "/gallery/empty.html");
        Assert.Equal(200, response.Status);
        Assert.Equal("0", response.Header("Content-Length"));
        Assert.StartsWith("text/html", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task Cdn_server_serves_the_cdn_images_and_the_offsite_page()
    {
        await using var pair = await GalleryPair.StartAsync();
        var onCdn = pair.Main.GalleryImages.Where(i => i.OnCdn).ToList();
        Assert.NotEmpty(onCdn);
        Assert.All(onCdn, i => Assert.StartsWith("/cdn/full/", i.Path, StringComparison.Ordinal));
        Assert.All(onCdn, i => Assert.Equal(pair.Cdn.BaseUri.Authority, i.Url.Authority));
        foreach (var image in onCdn.Take(5))
        {
            var (status, body, _) = await GalleryPair.GetAsync(image.Url);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(image.Sha256, TestSupport.Sha256(body));
        }

        var (offsiteStatus, offsite, _) = await GalleryPair.GetAsync(new Uri(pair.Cdn.BaseUri, "/offsite/page.html"));
        Assert.Equal(HttpStatusCode.OK, offsiteStatus);
        Assert.Contains("/cdn/full/offsite.", Encoding.UTF8.GetString(offsite), StringComparison.Ordinal);
        Assert.Equal(0, pair.Main.Counters.Requests);
        var listing = await pair.PageAsync("/gallery/");
        Assert.Contains(new Uri(pair.Cdn.BaseUri, "/offsite/page.html").AbsoluteUri, listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_gallery_options_there_are_no_gallery_routes()
    {
        await using var server = await TestSupport.StartAsync();
        Assert.Null(server.GalleryStartUri);
        Assert.Empty(server.GalleryImages);
        Assert.Empty(server.GalleryPages);
        Assert.Equal(404, (await RawHttp.RequestAsync(server, "/gallery/")).Status);
        Assert.Equal(404, (await RawHttp.RequestAsync(server, "/robots.txt")).Status);
        Assert.Equal(404, (await RawHttp.RequestAsync(server, "/static/logo.png")).Status);
    }

    [Fact]
    public async Task Invalid_gallery_options_are_named()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => HostileServer.StartAsync(new HostileServerOptions
        {
            Gallery = new GalleryOptions { Pages = 0, CrawlDelay = -1, CdnBaseUri = new Uri("ftp://127.0.0.1/") },
        }));
        Assert.Contains("Gallery.Pages", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gallery.CrawlDelay", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gallery.CdnBaseUri", error.Message, StringComparison.Ordinal);
    }
}
