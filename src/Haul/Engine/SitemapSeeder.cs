using Haul.Crawling;
using Haul.Journal;
using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>
/// Adds the pages of each start host's sitemaps to a crawl (<see cref="CrawlOptions.Sitemap"/>): the sitemaps robots.txt
/// names, else <c>/sitemap.xml</c>; sitemap indexes are followed, at most <see cref="MaxSitemaps"/> files a host. Pages
/// in scope join at depth 1, as if the start page linked them. A sitemap that cannot be read is logged and passed
/// over: it only adds start points. Running it again adds nothing twice.
/// </summary>
internal static class SitemapSeeder
{
    /// <summary>Sitemap files read per host at most (an index of indexes cannot run away).</summary>
    public const int MaxSitemaps = 50;

    private const int BatchSize = 5000;

    public static async Task<int> SeedAsync(CrawlSession session, IJobJournal journal, IReadOnlyList<Uri> startPages, HaulOptions options, CancellationToken cancellationToken)
    {
        var logger = options.LoggerFactory.CreateLogger("Haul.Crawling");
        var added = 0;
        foreach (var origin in startPages.Select(p => new Uri(p.GetLeftPart(UriPartial.Authority) + "/")).DistinctBy(u => u.AbsoluteUri))
        {
            var named = session.Robots is null ? [] : (await session.Robots.GetAsync(origin, cancellationToken).ConfigureAwait(false)).Sitemaps;
            var queue = new Queue<Uri>(named.Count > 0 ? named.Select(s => new Uri(s)) : [new Uri(origin, "/sitemap.xml")]);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var batch = new List<FoundItem>();
            while (queue.Count > 0 && seen.Count < MaxSitemaps)
            {
                var sitemap = queue.Dequeue();

                // A sitemap is fetched only where the crawl's pages may be: robots.txt or an index cannot send Haul elsewhere.
                if (!seen.Add(sitemap.AbsoluteUri) || session.Scope.CheckPage(sitemap, 1, 0) is not null)
                {
                    continue;
                }

                try
                {
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    deadline.CancelAfter(options.ResponseHeadersTimeout + options.StallTimeout + options.StallTimeout);
                    using var request = new HttpRequestMessage(HttpMethod.Get, sitemap);
                    request.Headers.TryAddWithoutValidation("User-Agent", Fetching.RequestFactory.UserAgentOf(options));
                    using var response = await session.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        Log.SitemapUnavailable(logger, sitemap, "HTTP " + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                        continue;
                    }

                    // The XML reader reads without a token: the deadline ends a stalled body by closing the response.
                    using var stop = deadline.Token.Register(response.Dispose);
                    using var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
                    await foreach (var entry in SitemapReader.ReadAsync(body, deadline.Token).ConfigureAwait(false))
                    {
                        if (entry.IsIndex)
                        {
                            queue.Enqueue(entry.Url);
                        }
                        else if (session.Scope.CheckPage(entry.Url, 1, 0) is null)
                        {
                            batch.Add(new FoundItem(entry.Url, ItemKind.Page) { Depth = 1, Source = sitemap.AbsoluteUri });
                            if (batch.Count == BatchSize)
                            {
                                added += (await journal.RecordFoundAsync(new PageFindings(batch), cancellationToken).ConfigureAwait(false)).NewPages;
                                batch = [];
                            }
                        }
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or InvalidDataException or ObjectDisposedException
                    || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    Log.SitemapUnavailable(logger, sitemap, exception.Message);
                }
            }

            if (batch.Count > 0)
            {
                added += (await journal.RecordFoundAsync(new PageFindings(batch), cancellationToken).ConfigureAwait(false)).NewPages;
            }
        }

        return added;
    }
}
