namespace Haul.Engine;

/// <summary>What a crawl starts from: its start pages and its options.</summary>
internal sealed record CrawlStart(IReadOnlyList<Uri> StartPages, CrawlOptions Options)
{
    /// <summary>A worker that joined a shared crawl: the command that started it seeded it (start pages, sitemaps, failed items given a fresh start).</summary>
    public bool Joined { get; init; }
}
