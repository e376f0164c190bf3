using Haul.TestServer;
using Microsoft.Data.Sqlite;

namespace Haul.Cli.Tests;

/// <summary>One row of the journal's <c>items</c> table of a crawl: a page or a file (an image).</summary>
internal sealed record CrawlRow(string Url, int Kind, int State, string? LastReason)
{
    public const int File = 0;
    public const int Page = 1;

    public Uri Uri => new(Url);
}

/// <summary>The seeded gallery site and what a crawl of it leaves behind.</summary>
internal static class CrawlSupport
{
    /// <summary>A small gallery (6 pages of 18 slots, images of 2 to 16 KiB): every rule of the site, crawled in a second or two.</summary>
    public static HostileServerOptions SmallGallery(int seed, long hugePageBytes = 256 * 1024) => new()
    {
        Seed = seed,
        FileCount = 0,
        Gallery = new GalleryOptions
        {
            Pages = 6,
            SlotsPerPage = 18,
            HugePageBytes = hugePageBytes,
            MinImageSize = 2048,
            MaxImageSize = 16 * 1024,
        },
    };

    /// <summary>Every item of OUT/.haul/journal.db with its kind; empty when there is no journal (or no schema) yet.</summary>
    public static Task<IReadOnlyList<CrawlRow>> ReadItemsAsync(string output) =>
        Support.QueryJournalAsync(output, "SELECT url, kind, state, last_reason FROM items ORDER BY id;", reader =>
            new CrawlRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3)));

    /// <summary>The server of the pair that serves <paramref name="url"/> (by its port).</summary>
    public static HostileServer ServerOf(GalleryServers servers, Uri url) =>
        url.Port == servers.Main.Port ? servers.Main
        : url.Port == servers.Cdn.Port ? servers.Cdn
        : throw new InvalidOperationException($"{url} is on neither server of the gallery");

    /// <summary>The absolute URLs of the pages a correct crawl requests.</summary>
    public static HashSet<string> FetchedPageUrls(GalleryServers servers) =>
        servers.Main.GalleryPages.Where(p => p.Fetched)
            .Select(p => new Uri(p.OnCdn ? servers.Cdn.BaseUri : servers.Main.BaseUri, p.PathAndQuery).AbsoluteUri)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Every expected image is saved at its path with the bytes its server serves now.</summary>
    public static async Task AssertEveryImageSavedAsync(GalleryServers servers, string output)
    {
        Assert.NotEmpty(servers.Main.GalleryImages);
        foreach (var image in servers.Main.GalleryImages)
        {
            var path = Support.MappedPath(output, image.Url);
            Assert.True(System.IO.File.Exists(path), $"{image.Url} has no file at {path}");
            var served = servers.HostOf(image).GetFile(image.Path);
            Assert.True(served.Sha256Hex == await Support.Sha256OfFileAsync(path), $"{image.Url} differs from version {served.Version} served");
        }
    }

    /// <summary>The URL lines of failed.txt (its comments left out).</summary>
    public static string[] FailedUrls(string output) =>
        System.IO.File.ReadAllLines(Path.Combine(output, "failed.txt")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    public static string[] Ordered(IEnumerable<string> urls) => urls.Order(StringComparer.Ordinal).ToArray();
}
