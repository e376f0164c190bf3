using System.Text.RegularExpressions;

namespace Haul.Crawling;

/// <summary>Which pages a crawl follows (the options of <c>haul crawl</c> that <see cref="CrawlScope"/> applies).</summary>
internal sealed record CrawlScopeOptions
{
    /// <summary>Follow only pages under the folder of a start page of their host (<c>--no-parent</c>).</summary>
    public bool NoParent { get; init; }

    /// <summary>When not empty, follow only pages whose URL one of these matches (<c>--include</c>).</summary>
    public IReadOnlyList<Regex> Include { get; init; } = [];

    /// <summary>Never follow pages whose URL one of these matches (<c>--exclude</c>).</summary>
    public IReadOnlyList<Regex> Exclude { get; init; } = [];

    /// <summary>The deepest page followed, start pages being depth 0 (<c>--max-depth</c>); null for no limit.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>
    /// The most pages fetched (<c>--max-pages</c>); null for no limit. The engine enforces it with its count of pages
    /// started (start pages included): <see cref="CrawlScope"/> cannot, as it sees one URL at a time.
    /// </summary>
    public long? MaxPages { get; init; }

    /// <summary>Follow pages on any host, not only the start pages' hosts (off by default).</summary>
    public bool SpanHosts { get; init; }
}
