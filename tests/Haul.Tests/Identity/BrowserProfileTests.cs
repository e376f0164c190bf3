using System.Text;
using Haul.Engine;
using Haul.Identity;

namespace Haul.Tests.Identity;

/// <summary>Each browser profile as a server sees it, for a crawl's page and for an image, against a scripted server.</summary>
public sealed class BrowserProfileTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [InlineData(Browser.Chrome)]
    [InlineData(Browser.Firefox)]
    [InlineData(Browser.Safari)]
    public async Task A_profile_sends_its_coherent_headers_for_a_page_and_for_an_image(Browser browser)
    {
        var (page, image) = await CrawlOnePageAsync(options => options with { Browser = browser });
        var profile = BrowserProfiles.For(browser);

        Assert.Equal(profile.UserAgent, page["User-Agent"]);
        Assert.Equal(profile.UserAgent, image["User-Agent"]);
        Assert.Equal(profile.DocumentAccept, page["Accept"]);
        Assert.Equal(profile.ImageAccept, image["Accept"]);
        Assert.All(new[] { page, image }, h => Assert.Equal(profile.AcceptLanguage, h["Accept-Language"]));
        Assert.All(new[] { page, image }, h => Assert.Equal("gzip, deflate, br", h["Accept-Encoding"]));
        Assert.Equal("document", page["Sec-Fetch-Dest"]);
        Assert.Equal("navigate", page["Sec-Fetch-Mode"]);
        Assert.Equal("none", page["Sec-Fetch-Site"]);
        Assert.Equal("1", page["Upgrade-Insecure-Requests"]);
        Assert.Equal("image", image["Sec-Fetch-Dest"]);
        Assert.Equal("no-cors", image["Sec-Fetch-Mode"]);
        Assert.Equal("same-origin", image["Sec-Fetch-Site"]);
        Assert.False(image.ContainsKey("Upgrade-Insecure-Requests"));
        Assert.False(image.ContainsKey("Sec-Fetch-User"));
        Assert.Equal(browser != Browser.Safari, page.ContainsKey("Sec-Fetch-User"));
        foreach (var headers in new[] { page, image })
        {
            Assert.Equal(browser == Browser.Chrome, headers.ContainsKey("sec-ch-ua"));
            Assert.Equal(browser == Browser.Chrome, headers.ContainsKey("sec-ch-ua-platform"));
        }
    }

    [Fact]
    public async Task Without_a_profile_only_Haul_s_own_User_Agent_is_sent()
    {
        var (page, image) = await CrawlOnePageAsync(options => options);

        Assert.All(new[] { page, image }, h => Assert.Equal(HaulDefaults.UserAgent, h["User-Agent"]));
        Assert.All(new[] { page, image }, h => Assert.False(h.ContainsKey("Sec-Fetch-Dest") || h.ContainsKey("Accept-Language") || h.ContainsKey("Accept-Encoding")));
    }

    [Fact]
    public async Task A_User_Agent_or_a_header_given_wins_over_the_profile_and_is_sent_once()
    {
        var (page, image) = await CrawlOnePageAsync(options => options with
        {
            Browser = Browser.Chrome,
            UserAgent = "Mine/1",
            Headers = [new("Accept-Language", "fr-FR")],
        });

        Assert.All(new[] { page, image }, h => Assert.Equal("Mine/1", h["User-Agent"]));
        Assert.All(new[] { page, image }, h => Assert.Equal("fr-FR", h["Accept-Language"]));
        Assert.Equal(BrowserProfiles.Chrome.DocumentAccept, page["Accept"]);

        var (given, _) = await CrawlOnePageAsync(options => options with { Headers = [new("User-Agent", "Given/2")] });
        Assert.Equal("Given/2", given["User-Agent"]);
    }

    [Theory]
    [InlineData("http://a.example.com/p", "http://a.example.com/i.jpg", "same-origin")]
    [InlineData("http://www.example.com/p", "http://img.example.com/i.jpg", "same-site")]
    [InlineData("http://example.com/p", "http://example.org/i.jpg", "cross-site")]
    [InlineData("https://example.com/p", "http://example.com/i.jpg", "cross-site")]
    [InlineData("http://127.0.0.1:1/p", "http://127.0.0.2:1/i.jpg", "cross-site")]
    [InlineData(null, "http://example.org/i.jpg", "none")]
    public void FetchSite_RelatesThePageToTheUrl(string? referer, string url, string expected) =>
        Assert.Equal(expected, BrowserProfile.FetchSite(new Uri(url), referer));

    [Fact]
    public void ARangeRequest_AsksForTheFilesOwnBytes() =>
        Assert.Contains(BrowserProfiles.Firefox.Headers(new Uri("http://h/a.jpg"), document: false, null, ranged: true), h => h.Key == "Accept-Encoding" && h.Value == "identity");

    /// <summary>Crawls a page naming one image; returns the request headers of the page and of the image.</summary>
    private static async Task<(Dictionary<string, string> Page, Dictionary<string, string> Image)> CrawlOnePageAsync(Func<HaulOptions, HaulOptions> configure)
    {
        var html = Encoding.UTF8.GetBytes("<html><body><img src=\"/img/a.png\"></body></html>");
        await using var server = ScriptedServer.Start(
            ScriptedServer.Respond($"HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Length: {html.Length}\nConnection: close\n", html),
            ScriptedServer.Respond($"HTTP/1.1 200 OK\nContent-Type: image/png\nContent-Length: {Png.Length}\nConnection: close\n", Png));
        using var folder = new TempFolder();

        var report = await CrawlJob.RunAsync(configure(TestSupport.FastOptions(folder.Path)), new CrawlOptions { IgnoreRobots = true }, [new Uri(server.BaseUri, "/gallery/")]);

        Assert.Equal(2, report.Done);
        Assert.Equal(2, server.Requests.Count);
        return (Parse(server.Requests[0]), Parse(server.Requests[1]));
    }

    private static Dictionary<string, string> Parse(string head)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Split('\n').Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                Assert.True(headers.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim()), $"header {line[..colon]} sent twice");
            }
        }

        return headers;
    }
}
