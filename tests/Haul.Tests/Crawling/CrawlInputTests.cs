using System.Security.Cryptography;
using System.Text;
using Haul.Engine;
using Haul.Journal;

namespace Haul.Tests.Crawling;

/// <summary>Start points and inline images of a crawl, against a scripted server.</summary>
public sealed class CrawlInputTests
{
    private static Func<System.Net.Sockets.NetworkStream, CancellationToken, Task> Html(string html)
    {
        var body = Encoding.UTF8.GetBytes(html);
        return ScriptedServer.Respond($"HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Length: {body.Length}\nConnection: close\n", body);
    }

    [Fact]
    public async Task An_inline_data_uri_image_is_saved_under_the_pages_host_only_when_asked_for()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8 };
        var page = $"<html><body><img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" alt=\"dot\"><img src=\"data:text/plain,hello\"></body></html>";
        await using var server = ScriptedServer.Start(Html(page), Html(page));
        using var kept = new TempFolder();
        using var dropped = new TempFolder();
        var start = new Uri(server.BaseUri, "/gallery/");

        await CrawlJob.RunAsync(TestSupport.FastOptions(kept.Path), new CrawlOptions { IgnoreRobots = true, KeepDataUris = true }, [start]);
        await CrawlJob.RunAsync(TestSupport.FastOptions(dropped.Path), new CrawlOptions { IgnoreRobots = true }, [start]);

        var sha = Convert.ToHexStringLower(SHA256.HashData(png));
        var host = $"127.0.0.1_{server.BaseUri.Port}";
        var saved = Path.Combine(kept.Path, host, "inline", sha[..16] + ".png");
        Assert.True(File.Exists(saved), "the inline image was not saved");
        Assert.Equal(png, await File.ReadAllBytesAsync(saved));
        Assert.Single(Directory.GetFiles(Path.Combine(kept.Path, host, "inline")));
        Assert.False(Directory.Exists(Path.Combine(dropped.Path, host)), "an inline image was saved without being asked for");
    }

    [Fact]
    public async Task Sitemap_pages_join_the_crawl_as_start_points_in_scope()
    {
        var sitemap = Encoding.UTF8.GetBytes("""
            <?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc>PLACEHOLDER/a.html</loc></url>
              <url><loc>PLACEHOLDER/b.html</loc></url>
              <url><loc>http://elsewhere.invalid/c.html</loc></url>
            </urlset>
            """);
        ScriptedServer? server = null;
        server = ScriptedServer.Start(
            async (stream, token) =>
            {
                var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(sitemap).Replace("PLACEHOLDER", server!.BaseUri.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal));
                await ScriptedServer.Respond($"HTTP/1.1 200 OK\nContent-Type: application/xml\nContent-Length: {body.Length}\nConnection: close\n", body)(stream, token);
            },
            Html("<p>start</p>"),
            Html("<p>a</p>"),
            Html("<p>b</p>"));
        await using (server)
        {
            using var folder = new TempFolder();
            var report = await CrawlJob.RunAsync(
                TestSupport.FastOptions(folder.Path), new CrawlOptions { IgnoreRobots = true, Sitemap = true }, [new Uri(server.BaseUri, "/")]);

            var pages = (await TestSupport.ReadJournalAsync(folder.Path)).Select(i => i.Item).Where(i => i.Kind == ItemKind.Page).ToList();
            Assert.Equal(
                new[] { "/", "/a.html", "/b.html" },
                pages.Select(p => new Uri(p.Url).AbsolutePath).Order(StringComparer.Ordinal));
            Assert.All(pages, p => Assert.Equal(ItemState.Done, p.State));
            Assert.Equal(3, report.Pages!.Done);
            Assert.StartsWith("GET /sitemap.xml ", server.Requests[0], StringComparison.Ordinal);
        }
    }
}
