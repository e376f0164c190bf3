using System.Globalization;

namespace Haul.TestServer;

/// <summary>
/// The seeded gallery site a <see cref="HostileServer"/> serves when <see cref="HostileServerOptions.Gallery"/> is set:
/// paginated pages under <c>/gallery/</c>, photo pages, traps, a robots.txt and the images they name.
/// </summary>
public sealed record GalleryOptions
{
    /// <summary>Listing pages: <c>/gallery/</c> is page 1, then <c>/gallery/page/2</c> up to this number.</summary>
    public int Pages { get; init; } = 20;

    /// <summary>Image slots on each listing page, their forms cycled by index and seed.</summary>
    public int SlotsPerPage { get; init; } = 12;

    /// <summary>The <c>Crawl-delay</c> (seconds) of robots.txt's <c>*</c> group; null leaves the line out.</summary>
    public double? CrawlDelay { get; init; }

    /// <summary><c>/gallery/huge.html</c> is a little larger than this.</summary>
    public long HugePageBytes { get; init; } = 12 * 1024 * 1024;

    /// <summary>Smallest size of an original (<c>full</c>) image; thumbnails and mid sizes are smaller.</summary>
    public long MinImageSize { get; init; } = 16 * 1024;

    /// <summary>Largest size of an original image; sizes are log-uniform between the two.</summary>
    public long MaxImageSize { get; init; } = 160 * 1024;

    /// <summary>
    /// Base address of the second host (a <see cref="HostileServer"/> with the same seed and gallery options) that
    /// serves the <c>/cdn/</c> images and the off-site page. Null: the <c>/cdn/</c> images are named on this server
    /// itself and there is no off-site link.
    /// </summary>
    public Uri? CdnBaseUri { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (Pages is < 1 or > 10_000)
        {
            yield return "Gallery.Pages must be between 1 and 10000";
        }

        if (SlotsPerPage is < 1 or > 200)
        {
            yield return "Gallery.SlotsPerPage must be between 1 and 200";
        }

        if (CrawlDelay is { } delay && (double.IsNaN(delay) || double.IsInfinity(delay) || delay < 0 || delay > 3600))
        {
            yield return "Gallery.CrawlDelay must be between 0 and 3600 seconds when set";
        }

        if (HugePageBytes is < 64 * 1024 or > 1L << 32)
        {
            yield return "Gallery.HugePageBytes must be between 65536 and 4294967296";
        }

        if (MinImageSize < 1024)
        {
            yield return "Gallery.MinImageSize must be at least 1024";
        }

        if (MaxImageSize < MinImageSize || MaxImageSize > 64L * 1024 * 1024)
        {
            yield return "Gallery.MaxImageSize must be at least MinImageSize and at most 67108864";
        }

        if (CdnBaseUri is { } cdn
            && (!cdn.IsAbsoluteUri || cdn.Scheme is not ("http" or "https") || cdn.AbsolutePath != "/" || cdn.Query.Length > 0))
        {
            yield return "Gallery.CdnBaseUri must be an absolute http(s) URL with the path /";
        }
    }

    /// <summary>The robots.txt line for <see cref="CrawlDelay"/>, or null.</summary>
    internal string? CrawlDelayLine =>
        CrawlDelay is { } delay ? "Crawl-delay: " + delay.ToString("0.###", CultureInfo.InvariantCulture) : null;
}
