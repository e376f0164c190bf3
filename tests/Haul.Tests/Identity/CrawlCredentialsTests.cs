using System.Text;
using Haul.Engine;

namespace Haul.Tests.Identity;

/// <summary>A crawl's start page with credentials in its URL, against a scripted server that asks for them.</summary>
public sealed class CrawlCredentialsTests
{
    [Fact]
    public async Task A_start_page_s_credentials_answer_its_challenge_and_are_stored_nowhere()
    {
        var html = Encoding.UTF8.GetBytes("<html><body><p>no images</p></body></html>");
        await using var server = ScriptedServer.Start(
            ScriptedServer.Respond("HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Basic realm=\"r\"\nContent-Length: 0\nConnection: close\n", []),
            ScriptedServer.Respond($"HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: {html.Length}\nConnection: close\n", html));
        using var folder = new TempFolder();
        var start = new Uri($"http://bob:pa%3Ass@127.0.0.1:{server.BaseUri.Port}/gallery/");

        var report = await CrawlJob.RunAsync(TestSupport.FastOptions(folder.Path), new CrawlOptions { IgnoreRobots = true }, [start]);

        Assert.Equal(1, report.Done);
        Assert.Equal(2, server.Requests.Count);
        Assert.DoesNotContain("Authorization", server.Requests[0], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:pa:ss")), server.Requests[1], StringComparison.Ordinal);
        var page = Assert.Single(await TestSupport.ReadJournalAsync(folder.Path)).Item;
        Assert.Equal(new Uri(server.BaseUri, "/gallery/").AbsoluteUri, page.Url);
        foreach (var file in Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("pa%3Ass", Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
            Assert.DoesNotContain("pa:ss", Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }
    }
}
