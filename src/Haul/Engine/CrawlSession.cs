using System.Text.RegularExpressions;
using Haul.Crawling;
using Haul.Discovery;
using Haul.Fetching;
using Haul.Journal;
using Haul.Proxies;
using Haul.Scheduling;

namespace Haul.Engine;

/// <summary>
/// What one run of a crawl decides with: its options, the scope and filters built from them, robots.txt of every host
/// it touches, and the count of pages it has taken on (for <see cref="CrawlOptions.MaxPages"/>).
/// </summary>
internal sealed class CrawlSession : IDisposable
{
    /// <summary>Rules of links worth a line in the report: the traps and limits that cut a crawl short, not the ordinary edges of its scope.</summary>
    private static readonly HashSet<string> Reported = new(StringComparer.Ordinal)
    {
        CrawlSkipRules.MaxDepth, CrawlSkipRules.RepeatedSegment, CrawlSkipRules.UrlTooLong, CrawlSkipRules.QueryGrowth, CrawlSkipRules.BarrenChain,
    };

    private readonly Frontier _frontier;
    private readonly ISharedJobJournal? _shared;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _paced = new(StringComparer.Ordinal);
    private int _pagesTaken;

    /// <summary>In a shared crawl: one refresh of the start pages at a time (<see cref="RefreshStartPagesAsync"/>).</summary>
    private readonly SemaphoreSlim _refresh = new(1, 1);

    /// <summary>The last item id the start pages last read from the journal are sure to cover (<see cref="StartPagesSnapshot.KnownThrough"/>).</summary>
    private long _startPagesKnownThrough;

    // shared: the journal of a crawl many workers share, with its page limit and robots.txt; null for a crawl of one.
    public CrawlSession(CrawlOptions options, IReadOnlyList<Uri> startPages, HaulOptions haul, Frontier frontier, int pagesTaken, ISharedJobJournal? shared)
    {
        Options = options;
        _frontier = frontier;
        _shared = shared;
        _pagesTaken = pagesTaken;
        Extraction = new ExtractionOptions { AllSizes = options.AllSizes, KeepDataUris = options.KeepDataUris, NextSelector = options.NextSelector };
        Scope = new CrawlScope(startPages, new CrawlScopeOptions
        {
            NoParent = options.NoParent,
            SpanHosts = options.SpanHosts,
            Include = options.Include.Select(Pattern).ToList(),
            Exclude = options.Exclude.Select(Pattern).ToList(),
            MaxDepth = options.MaxDepth,
            MaxPages = options.MaxPages,
        });
        Filter = new ImageFilter(new ImageFilterOptions
        {
            Extensions = options.Extensions,
            MinBytes = options.MinBytes,
            MaxBytes = options.MaxBytes,
            MinWidth = options.MinWidth,
            MinHeight = options.MinHeight,
        });
        Client = new HttpClient(new ProxyRoutingHandler(haul), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        Robots = options.IgnoreRobots ? null : new RobotsCache(Client, haul, shared);
    }

    public CrawlOptions Options { get; }

    public ExtractionOptions Extraction { get; }

    public CrawlScope Scope { get; }

    public ImageFilter Filter { get; }

    /// <summary>The client of the crawl's own requests: robots.txt and sitemaps.</summary>
    public HttpClient Client { get; }

    /// <summary>robots.txt of each origin; null with <see cref="CrawlOptions.IgnoreRobots"/>.</summary>
    public RobotsCache? Robots { get; }

    public static bool IsReported(string rule) => Reported.Contains(rule);

    /// <summary>
    /// The rule that keeps <paramref name="url"/> from being requested (robots.txt), or null; the first time a host is
    /// seen its robots.txt is fetched and its Crawl-delay given to the frontier.
    /// </summary>
    public async Task<string?> CheckRobotsAsync(Uri url, string host, CancellationToken cancellationToken)
    {
        if (Robots is null)
        {
            // Without robots.txt no host is probed first (FrontierOptions.ProbeNewHosts is off).
            return null;
        }

        var robots = await Robots.GetAsync(url, cancellationToken).ConfigureAwait(false);
        var rules = robots.For(Robots.ProductToken);
        if (_paced.TryAdd(host, true))
        {
            // The host's first attempt ran alone: now that its rules are known, its Crawl-delay paces the rest.
            if (rules.CrawlDelay is { } delay)
            {
                _frontier.SetHostGap(host, delay);
            }

            _frontier.ClearHost(host);
        }

        return rules.IsAllowed(url) ? null : RobotsCache.IsUnavailable(robots) ? CrawlSkipRules.RobotsUnavailable : CrawlSkipRules.Robots;
    }

    /// <summary>Whether the crawl has taken on as many pages as <see cref="CrawlOptions.MaxPages"/> allows: links found now are not added.</summary>
    public bool PagesExhausted => Options.MaxPages is { } max && Volatile.Read(ref _pagesTaken) >= max;

    /// <summary>
    /// Takes on one more page to fetch; the rule <c>max-pages</c> once the crawl has as many as it may. In a shared crawl
    /// the journal counts the pages of every worker, and a page one of them took on (and lost, dying) is not counted twice.
    /// </summary>
    public async ValueTask<string?> AdmitPageAsync(long itemId, CancellationToken cancellationToken)
    {
        if (Options.MaxPages is not { } max)
        {
            return null;
        }

        if (_shared is null)
        {
            return Interlocked.Increment(ref _pagesTaken) <= max ? null : CrawlSkipRules.MaxPages;
        }

        var admission = await _shared.AdmitPageAsync(itemId, max, cancellationToken).ConfigureAwait(false);
        // Only ever up: the count one admission tells may be older than another's.
        int taken;
        do
        {
            taken = Volatile.Read(ref _pagesTaken);
        }
        while (admission.Taken > taken && Interlocked.CompareExchange(ref _pagesTaken, admission.Taken, taken) != taken);

        return admission.Admitted ? null : CrawlSkipRules.MaxPages;
    }

    /// <summary>
    /// In a shared crawl, reads the job's start pages again unless the last read covers the page
    /// <paramref name="pageId"/>: another worker may have added one since (a start page that redirected to another host,
    /// or a start page of a later <c>haul crawl</c>), and a link that left the scope may be in it now. A page found from
    /// such a start page was added after it, so a read that covers the page's id knows it (<see cref="StartPagesSnapshot"/>);
    /// pages queued before the last read cost no read. Returns whether the scope may have changed (the link is worth checking again).
    /// </summary>
    public async ValueTask<bool> RefreshStartPagesAsync(long pageId, CancellationToken cancellationToken)
    {
        if (_shared is null || Volatile.Read(ref _startPagesKnownThrough) >= pageId)
        {
            return false;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_startPagesKnownThrough >= pageId)
            {
                // Another page's refresh read them meanwhile.
                return true;
            }

            var snapshot = await _shared.SnapshotStartPagesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var page in snapshot.Pages)
            {
                Scope.AddStartPage(page);
            }

            Volatile.Write(ref _startPagesKnownThrough, snapshot.KnownThrough);
            return true;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        _refresh.Dispose();
    }

    private static Regex Pattern(string pattern) => new(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
