using Haul.Engine;
using Haul.TestServer;
using Haul.TestServer.Proxies;

namespace Haul.Tests.Proxies;

/// <summary>A crawl through a proxy: pages, images and the crawl's own requests (robots.txt) all leave through it.</summary>
[Collection(NetworkTests.Name)]
public sealed class ProxyCrawlTests
{
    [Fact]
    public async Task Crawl_ThroughAnHttpProxy_SendsEveryRequestThroughIt_RobotsTxtIncluded()
    {
        await using var servers = await GalleryServers.StartAsync(new HostileServerOptions
        {
            Seed = 41,
            FileCount = 0,
            Gallery = new GalleryOptions { Pages = 3, SlotsPerPage = 8, MinImageSize = 2048, MaxImageSize = 8 * 1024 },
        });
        await using var proxy = await TestHttpProxy.StartAsync();
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path) with { Proxy = proxy.Url(), ProxyEnvironment = null };

        await CrawlJob.RunAsync(options, new CrawlOptions { MaxPageBytes = 128 * 1024 }, [servers.StartUri]);

        var expected = servers.Main.GalleryImages;
        Assert.NotEmpty(expected);
        foreach (var image in expected)
        {
            Assert.Equal(image.Sha256, TestSupport.Sha256OfFile(TestSupport.SavedPath(folder.Path, image.Url)));
        }

        var served = servers.Main.Counters.Requests + servers.Cdn.Counters.Requests;
        Assert.Equal(served, proxy.Forwarded);
        Assert.Contains(servers.Main.Counters.Log, r => r.Path == "/robots.txt");
    }
}
