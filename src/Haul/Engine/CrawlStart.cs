namespace Haul.Engine;

/// <summary>What a crawl starts from: its start pages and its options.</summary>
internal sealed record CrawlStart(IReadOnlyList<Uri> StartPages, CrawlOptions Options);
