using System.Collections.Concurrent;
using Haul.Crawling;
using Haul.Discovery;
using Haul.Input;
using Haul.Journal;

namespace Haul.Engine;

/// <summary>
/// Turns what a page named into the crawl's findings: images through the filters and the scope (with <c>--by-page</c>
/// an output path under the page's folder, with <c>--list</c> printed rather than queued), links through the scope
/// with the page's barren run, each with its <c>Referer</c>; what a rule cut and is worth reporting comes back as
/// skipped.
/// </summary>
internal sealed class PageFindingsBuilder
{
    private readonly CrawlSession _session;
    private readonly IJobJournal _journal;
    private readonly JobProgress _progress;

    /// <summary>With <c>--list</c>: the images printed so far, by their normal form.</summary>
    private readonly ConcurrentDictionary<string, byte>? _listed;

    public PageFindingsBuilder(CrawlSession session, IJobJournal journal, JobProgress progress)
    {
        _session = session;
        _journal = journal;
        _progress = progress;
        _listed = session.Options.ListOnly ? new ConcurrentDictionary<string, byte>(StringComparer.Ordinal) : null;
    }

    /// <summary>The findings of a page read: <paramref name="page"/> at <paramref name="pageUrl"/>, with what its extraction found.</summary>
    public async Task<(List<FoundItem> Found, List<SkippedInput> Skipped)> CollectAsync(
        JournalItem page, Uri pageUrl, PageExtraction extraction, CancellationToken cancellationToken)
    {
        if (page.Depth == 0)
        {
            // A start page, or where one redirected: in a shared crawl another worker may have added it after this one
            // built its scope, and its links are judged from it all the same.
            _session.Scope.AddStartPage(pageUrl);
        }

        var found = new List<FoundItem>(extraction.Images.Count + extraction.Links.Count);
        var skipped = new List<SkippedInput>();
        var source = pageUrl.AbsoluteUri;
        var depth = page.Depth + 1;
        var newlyListed = false;
        foreach (var image in extraction.Images)
        {
            if (image.Url.Scheme == "data")
            {
                // Saved by the inline saver: nothing to request.
                continue;
            }

            var rule = _session.Filter.CheckUrl(image.Url) ?? _session.Filter.CheckDimensions(image.Width, image.Height) ?? _session.Scope.CheckImage(image.Url);
            if (rule is not null)
            {
                skipped.Add(new SkippedInput(image.Url.AbsoluteUri, source, rule));
                continue;
            }

            if (_listed is not null)
            {
                // A listed image is never requested here, so robots.txt is asked now: a list names only what a crawl would fetch.
                if (await _session.CheckRobotsAsync(image.Url, UrlNormalizer.HostKey(image.Url), cancellationToken).ConfigureAwait(false) is { } disallowed)
                {
                    skipped.Add(new SkippedInput(image.Url.AbsoluteUri, source, disallowed));
                    continue;
                }

                if (_listed.TryAdd(UrlNormalizer.Normalize(image.Url), 0))
                {
                    newlyListed = true;
                    _progress.ImageFound(image.Url);
                }

                continue;
            }

            found.Add(new FoundItem(image.Url, ItemKind.File)
            {
                OutputPath = _session.Options.ByPage ? PagePaths.ByPage(pageUrl, image.Url) : null,
                Referer = RefererPolicy.For(pageUrl, image.Url, _session.Options.Referer),
                Depth = depth,
                Alt = image.Alt,
                Source = source,
            });
        }

        // A page's barren run: 0 when it named an image new to the crawl that the filters keep (or a photo page behind a
        // thumbnail, where its image is), else one more than the page it was found on. A logo or a site-wide og:image on
        // every page of an endless calendar does not keep the calendar going.
        var photoPages = extraction.Links.Where(l => l.Kind == LinkKind.PhotoPage).Select(l => l.Url);
        var productive = newlyListed || await _journal.CountNewAsync(
            found.Select(f => f.Url).Concat(photoPages).ToList(), cancellationToken).ConfigureAwait(false) > 0;
        var barren = CrawlScope.BarrenRunOf(page.Barren, productive);
        foreach (var link in extraction.Links)
        {
            if (_session.PagesExhausted)
            {
                // The crawl has all the pages it may read: nothing more to queue.
                break;
            }

            var rule = _session.Scope.CheckPage(link.Url, depth, barren);
            if (rule is CrawlSkipRules.OtherHost or CrawlSkipRules.ParentFolder
                && await _session.RefreshStartPagesAsync(page.Id, cancellationToken).ConfigureAwait(false))
            {
                rule = _session.Scope.CheckPage(link.Url, depth, barren);
            }

            if (rule is not null)
            {
                if (CrawlSession.IsReported(rule))
                {
                    skipped.Add(new SkippedInput(link.Url.AbsoluteUri, source, rule));
                }

                continue;
            }

            found.Add(new FoundItem(link.Url, ItemKind.Page)
            {
                Referer = RefererPolicy.For(pageUrl, link.Url, _session.Options.Referer),
                Depth = depth,
                Barren = barren,
                Source = source,
            });
        }

        return (found, skipped);
    }

    /// <summary>
    /// What a page that answered with a redirect names: its target, as a page of the crawl at the same depth if the
    /// scope admits it (a start page's target becomes a start page), else the rule that cut it, reported if worth it.
    /// </summary>
    public (List<FoundItem> Found, List<SkippedInput> Skipped, string? Rule) CollectRedirect(JournalItem page, Uri next)
    {
        var found = new List<FoundItem>(1);
        var skipped = new List<SkippedInput>(1);
        var rule = page.Depth == 0 ? null : _session.Scope.CheckPage(next, page.Depth, page.Barren);
        if (rule is null)
        {
            if (page.Depth == 0)
            {
                _session.Scope.AddStartPage(next);
            }

            found.Add(new FoundItem(next, ItemKind.Page) { Depth = page.Depth, Barren = page.Barren, Referer = page.Referer, Source = page.Url });
        }
        else if (CrawlSession.IsReported(rule))
        {
            skipped.Add(new SkippedInput(next.AbsoluteUri, page.Url, rule));
        }

        return (found, skipped, rule);
    }
}
