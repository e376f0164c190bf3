using System.Text.RegularExpressions;
using Haul.Crawling;

namespace Haul.Engine;

/// <summary>
/// What a crawl follows and keeps: the scope of its pages, the images it takes from them, and its etiquette. The
/// transport, the deadlines and the output folder are the job's <see cref="HaulOptions"/>.
/// </summary>
public sealed record CrawlOptions
{
    /// <summary>Keep every candidate of every image (each <c>srcset</c> size, the thumbnail and its original), not only the full-size one.</summary>
    public bool AllSizes { get; init; }

    /// <summary>Keep images given inline as <c>data:</c> URIs (they are skipped by default).</summary>
    public bool KeepDataUris { get; init; }

    /// <summary>A CSS selector of the links to the next page, for sites whose pagination nothing else recognises.</summary>
    public string? NextSelector { get; init; }

    /// <summary>Follow only pages under the folder of a start page.</summary>
    public bool NoParent { get; init; }

    /// <summary>Follow pages on any host, not only on the hosts of the start pages.</summary>
    public bool SpanHosts { get; init; }

    /// <summary>Regular expressions a page's URL must match one of to be followed; empty for all.</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    /// <summary>Regular expressions of page URLs never followed.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Links followed from a start page at most; null for no limit, 0 for the start pages only.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>Pages fetched at most, the start pages included; null for no limit. Pages over it end skipped (<c>max-pages</c>).</summary>
    public int? MaxPages { get; init; }

    /// <summary>Do not fetch or honour robots.txt (for sites whose rules you have the right to set aside).</summary>
    public bool IgnoreRobots { get; init; }

    /// <summary>What each request sends as <c>Referer</c>: the page an item was found on (the default), its origin, or nothing.</summary>
    public RefererMode Referer { get; init; } = RefererMode.Full;

    /// <summary>File extensions of the images to keep (without the dot); empty for every image type.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [];

    /// <summary>Images smaller than this many bytes are skipped.</summary>
    public long? MinBytes { get; init; }

    /// <summary>Images larger than this many bytes are skipped.</summary>
    public long? MaxBytes { get; init; }

    /// <summary>Images whose page states a smaller width are skipped.</summary>
    public int? MinWidth { get; init; }

    /// <summary>Images whose page states a smaller height are skipped.</summary>
    public int? MinHeight { get; init; }

    /// <summary>
    /// Save images in a folder for the page they were first found on (<c>HOST/PAGE-PATH/NAME</c>, the page's path
    /// without <c>index.html</c> or <c>.html</c>) rather than by their own URL; an image found on several pages is saved
    /// once, under the first.
    /// </summary>
    public bool ByPage { get; init; }

    /// <summary>
    /// Keep each page read as an HTML file too, at its mirrored path (<c>HOST/PATH</c>, <c>index.html</c> for a folder,
    /// <c>.html</c> added to a name without <c>.html</c> or <c>.htm</c>): beside its <see cref="ByPage"/> folder of the
    /// same name, or inside it for a folder.
    /// </summary>
    public bool SavePages { get; init; }

    /// <summary>The largest page read; a larger one fails with <c>too-large</c> and the crawl goes on.</summary>
    public long MaxPageBytes { get; init; } = 10L * 1024 * 1024;

    /// <summary>How long reading one page may take; a page that takes longer fails with <c>parse-timeout</c>.</summary>
    public TimeSpan ParseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Read the pages and report the images found (<see cref="JobProgress.ImageListed"/>) without downloading them.</summary>
    public bool ListOnly { get; init; }

    /// <summary>Also start from the pages listed in each start host's sitemaps (robots.txt's <c>Sitemap:</c>, else <c>/sitemap.xml</c>).</summary>
    public bool Sitemap { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming every invalid option.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (MaxDepth is < 0)
        {
            problems.Add("MaxDepth must not be negative");
        }

        if (MaxPages is < 1)
        {
            problems.Add("MaxPages must be at least 1");
        }

        if (MinBytes is < 0 || MaxBytes is < 1 || (MinBytes is { } min && MaxBytes is { } max && min > max))
        {
            problems.Add("MinBytes and MaxBytes must be a range of sizes");
        }

        if (MinWidth is < 0 || MinHeight is < 0)
        {
            problems.Add("MinWidth and MinHeight must not be negative");
        }

        if (MaxPageBytes < 1)
        {
            problems.Add("MaxPageBytes must be at least 1");
        }

        if (ParseTimeout <= TimeSpan.Zero)
        {
            problems.Add("ParseTimeout must be positive");
        }

        foreach (var pattern in Include.Concat(Exclude))
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException exception)
            {
                problems.Add($"'{pattern}' is not a regular expression ({exception.Message})");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid crawl options: " + string.Join("; ", problems) + ".");
        }
    }
}
