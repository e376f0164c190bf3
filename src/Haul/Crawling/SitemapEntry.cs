namespace Haul.Crawling;

/// <summary>One <c>loc</c> of a sitemap: a page (<c>urlset</c>), or another sitemap (<c>sitemapindex</c>) when <paramref name="IsIndex"/>.</summary>
internal sealed record SitemapEntry(Uri Url, bool IsIndex);
