using Haul.Input;

namespace Haul.Crawling;

/// <summary>
/// Decides which pages a crawl follows and which found images it keeps by URL alone (docs/crawling.md, "Scope and traps").
/// Depth: a start page is depth 0 and each followed link adds 1. Barren run: a page's run is 0 when it had an image
/// slot, else its parent's run + 1 (a start page's parent run is 0); see <see cref="BarrenRunOf"/>.
/// </summary>
internal sealed class CrawlScope
{
    /// <summary>The barren run at which a page's links are no longer followed.</summary>
    public const int MaxBarrenRun = 8;

    private readonly CrawlScopeOptions _options;
    private readonly HashSet<string> _hosts = new(StringComparer.Ordinal);
    private readonly List<(string Host, string Folder)> _folders = [];

    /// <summary>Guards the start hosts and folders: a start page that redirects adds its target while workers check.</summary>
    private readonly Lock _sync = new();

    public CrawlScope(IReadOnlyList<Uri> startPages, CrawlScopeOptions options)
    {
        ArgumentNullException.ThrowIfNull(startPages);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxDepth < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDepth, "MaxDepth must be 0 or more.");
        }

        if (options.MaxPages < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxPages, "MaxPages must be 1 or more.");
        }

        _options = options;
        foreach (var page in startPages)
        {
            AddStartPage(page);
        }
    }

    /// <summary>
    /// Makes <paramref name="page"/> a start page: its host (and its folder, for <see cref="CrawlScopeOptions.NoParent"/>)
    /// is followed. A start page that redirects elsewhere (<c>http</c> to <c>https</c>, <c>example.org</c> to
    /// <c>www.example.org</c>) makes its target one, so the crawl follows the site it was pointed at.
    /// </summary>
    public void AddStartPage(Uri page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var host = UrlNormalizer.HostKey(page);
        var folder = (host, Folder(page));
        lock (_sync)
        {
            _hosts.Add(host);
            if (!_folders.Contains(folder))
            {
                _folders.Add(folder);
            }
        }
    }

    /// <summary>
    /// The most pages fetched, or null for no limit. The engine enforces it: it counts the pages it starts (start pages
    /// included) and skips the rest with <see cref="CrawlSkipRules.MaxPages"/>.
    /// </summary>
    public long? MaxPages => _options.MaxPages;

    /// <summary>The barren run of a fetched page: 0 when it had an image slot, else <paramref name="parentRun"/> + 1 (0 for a start page's parent).</summary>
    public static int BarrenRunOf(int parentRun, bool hadImageSlot) => hadImageSlot ? 0 : parentRun + 1;

    /// <summary>
    /// Null when the page at <paramref name="url"/> is followed, else the first rule it breaks, checked in this order:
    /// <see cref="CrawlSkipRules.OtherHost"/> (a host, by <see cref="UrlNormalizer.HostKey"/>, of no start page, unless
    /// <see cref="CrawlScopeOptions.SpanHosts"/>), <see cref="CrawlSkipRules.ParentFolder"/>,
    /// <see cref="CrawlSkipRules.Include"/>, <see cref="CrawlSkipRules.Exclude"/> (against the URL's normal form),
    /// <see cref="CrawlSkipRules.MaxDepth"/>, the <see cref="TrapRules"/>, and <see cref="CrawlSkipRules.BarrenChain"/>.
    /// A start page (depth 0) is always followed: the user named it.
    /// </summary>
    /// <param name="url">The page.</param>
    /// <param name="depth">The page's depth: its parent's depth + 1, 0 for a start page.</param>
    /// <param name="barrenRun">The barren run of the page the link was found on (its parent); 0 for a start page.</param>
    public string? CheckPage(Uri url, int depth, int barrenRun)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (depth == 0)
        {
            return null;
        }

        var host = UrlNormalizer.HostKey(url);
        lock (_sync)
        {
            if (!_options.SpanHosts && !_hosts.Contains(host))
            {
                return CrawlSkipRules.OtherHost;
            }

            if (_options.NoParent && !UnderStartFolder(host, url))
            {
                return CrawlSkipRules.ParentFolder;
            }
        }

        var normal = UrlNormalizer.Normalize(url);
        if (_options.Include.Count > 0 && !_options.Include.Any(r => r.IsMatch(normal)))
        {
            return CrawlSkipRules.Include;
        }

        if (_options.Exclude.Any(r => r.IsMatch(normal)))
        {
            return CrawlSkipRules.Exclude;
        }

        if (depth > _options.MaxDepth)
        {
            return CrawlSkipRules.MaxDepth;
        }

        return TrapRules.Check(url) ?? (barrenRun >= MaxBarrenRun ? CrawlSkipRules.BarrenChain : null);
    }

    /// <summary>
    /// Null when a found image is kept, else the rule it breaks. Images may be on any host and are leaves (nothing is
    /// followed from them), so of the page rules only <see cref="CrawlSkipRules.UrlTooLong"/> applies. Include and
    /// exclude steer which pages are followed and do not filter images (a gallery's originals often live on another
    /// host or path); images are filtered by <see cref="ImageFilter"/>.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A scope's rule for images, beside its rule for pages.")]
    public string? CheckImage(Uri url) => TrapRules.CheckLength(url);

    private bool UnderStartFolder(string host, Uri url)
    {
        var path = PathOf(url);
        foreach (var (startHost, folder) in _folders)
        {
            if (startHost == host && path.StartsWith(folder, StringComparison.Ordinal))
            {
                return true;
            }
        }

        // With several hosts followed (SpanHosts), a host without a start page has no folder to stay under.
        return !_hosts.Contains(host);
    }

    /// <summary>
    /// The folder of a start page: its path up to the last <c>/</c>. As in wget, the trailing slash matters:
    /// <c>/gallery/</c> is a folder, <c>/gallery</c> a file in <c>/</c>.
    /// </summary>
    private static string Folder(Uri page)
    {
        var path = PathOf(page);
        return path[..(path.LastIndexOf('/') + 1)];
    }

    private static string PathOf(Uri url) => new Uri(UrlNormalizer.Normalize(url)).AbsolutePath;
}
