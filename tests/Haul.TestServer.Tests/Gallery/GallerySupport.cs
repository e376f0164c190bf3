using System.Net;

namespace Haul.TestServer.Tests;

/// <summary>A gallery server and its CDN host, both on 127.0.0.1.</summary>
internal sealed class GalleryPair(HostileServer main, HostileServer cdn) : IAsyncDisposable
{
    public HostileServer Main { get; } = main;

    public HostileServer Cdn { get; } = cdn;

    /// <summary>Small and quick: every slot form still appears (18 forms, 3 next-link styles over 6 pages).</summary>
    public static GalleryOptions Options(double? crawlDelay = null) => new()
    {
        Pages = 6,
        SlotsPerPage = 18,
        CrawlDelay = crawlDelay,
        HugePageBytes = 256 * 1024,
        MinImageSize = 2048,
        MaxImageSize = 16 * 1024,
    };

    public static async Task<GalleryPair> StartAsync(int seed = 5, FaultProfile? faults = null, double? crawlDelay = null)
    {
        var servers = await GalleryServers.StartAsync(new HostileServerOptions
        {
            Seed = seed,
            FileCount = 0,
            Faults = faults ?? FaultProfile.None,
            Gallery = Options(crawlDelay),
        });
        return new GalleryPair(servers.Main, servers.Cdn);
    }

    /// <summary>The server that serves an expected image.</summary>
    public HostileServer HostOf(GalleryImage image) => image.OnCdn ? Cdn : Main;

    /// <summary>A page's HTML with both hosts' addresses replaced, so two pairs' pages compare.</summary>
    public string Neutral(string html) =>
        html.Replace(Main.BaseUri.Authority, "MAIN", StringComparison.Ordinal).Replace(Cdn.BaseUri.Authority, "CDN", StringComparison.Ordinal);

    public static async Task<(HttpStatusCode Status, byte[] Body, string? ContentType)> GetAsync(Uri url, string? referer = null)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (referer is not null)
        {
            request.Headers.Referrer = new Uri(referer);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    public async Task<string> PageAsync(string pathAndQuery)
    {
        var (status, body, type) = await GetAsync(new Uri(Main.BaseUri, pathAndQuery));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/html", type);
        return System.Text.Encoding.UTF8.GetString(body);
    }

    public async ValueTask DisposeAsync()
    {
        await Main.DisposeAsync();
        await Cdn.DisposeAsync();
    }
}
