namespace Haul.TestServer;

/// <summary>One page a correct default crawl of the gallery meets: fetched, or found and skipped.</summary>
/// <param name="PathAndQuery">Path and query on its host, e.g. <c>/gallery/page/2</c> or <c>/gallery/sort/?sort=asc&amp;f2=1</c>.</param>
/// <param name="Kind">What the page is for.</param>
/// <param name="OnCdn">True for a page on the CDN host (only the off-site page).</param>
/// <param name="SkipRule">
/// Null for a page the crawl fetches; otherwise why it never asks for it: the crawl's rule name (<c>robots</c>,
/// <c>repeated-segment</c>, <c>query-growth</c>, <c>barren-chain</c>) or <c>off-host</c> for a page on another host.
/// </param>
public sealed record GalleryPage(string PathAndQuery, GalleryPageKind Kind, bool OnCdn, string? SkipRule)
{
    /// <summary>True when a correct crawl requests the page.</summary>
    public bool Fetched => SkipRule is null;
}
