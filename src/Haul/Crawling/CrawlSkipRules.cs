namespace Haul.Crawling;

/// <summary>The names of the rules that make a crawl skip a page or an image, as reports show them.</summary>
internal static class CrawlSkipRules
{
    /// <summary>A page on a host that is not a start page's host.</summary>
    public const string OtherHost = "other-host";

    /// <summary>A page outside the folder of every start page of its host (<c>--no-parent</c>).</summary>
    public const string ParentFolder = "parent-folder";

    /// <summary>A URL that matches none of the <c>--include</c> patterns.</summary>
    public const string Include = "include";

    /// <summary>A URL that matches an <c>--exclude</c> pattern.</summary>
    public const string Exclude = "exclude";

    /// <summary>A page deeper than <c>--max-depth</c>.</summary>
    public const string MaxDepth = "max-depth";

    /// <summary>A page beyond <c>--max-pages</c> (counted by the engine).</summary>
    public const string MaxPages = "max-pages";

    /// <summary>A path segment that occurs 3 or more times.</summary>
    public const string RepeatedSegment = "repeated-segment";

    /// <summary>More than 32 path segments, or a URL longer than 2,048 characters.</summary>
    public const string UrlTooLong = "url-too-long";

    /// <summary>A query of more than 16 parameters, or one key repeated.</summary>
    public const string QueryGrowth = "query-growth";

    /// <summary>A link of a page that ends a chain of 8 pages without any image slot.</summary>
    public const string BarrenChain = "barren-chain";

    /// <summary>A URL that robots.txt disallows.</summary>
    public const string Robots = "robots";

    /// <summary>An image whose file extension is not one of <c>ImageFilterOptions.Extensions</c>.</summary>
    public const string Extension = "extension";

    /// <summary>An image smaller than <c>ImageFilterOptions.MinBytes</c>.</summary>
    public const string MinBytes = "min-bytes";

    /// <summary>An image larger than <c>ImageFilterOptions.MaxBytes</c>.</summary>
    public const string MaxBytes = "max-bytes";

    /// <summary>An image whose stated width is below <c>ImageFilterOptions.MinWidth</c>.</summary>
    public const string MinWidth = "min-width";

    /// <summary>An image whose stated height is below <c>ImageFilterOptions.MinHeight</c>.</summary>
    public const string MinHeight = "min-height";

    /// <summary>The host's robots.txt could not be read (5xx, 429 or no answer after retries): RFC 9309 says to assume it disallows everything.</summary>
    public const string RobotsUnavailable = "robots-unavailable";

    /// <summary>An inline <c>data:</c> image that is malformed or empty.</summary>
    public const string BadDataUri = "bad-data-uri";

    /// <summary>An inline <c>data:</c> URI whose media type is not an image.</summary>
    public const string NotAnImage = "not-an-image";

    /// <summary>An inline image that could not be written where it belongs.</summary>
    public const string Unwritable = "unwritable";
}
