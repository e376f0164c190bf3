using Haul.Crawling;
using Haul.Fetching;
using Haul.Journal;
using Haul.Scheduling;

namespace Haul.Engine;

/// <summary>The crawl's rules around an attempt: what keeps an item from being requested, and what skips an image by its size.</summary>
internal sealed class CrawlRules
{
    private readonly CrawlSession _session;
    private readonly long? _maxFileSize;

    public CrawlRules(CrawlSession session, long? maxFileSize)
    {
        _session = session;
        _maxFileSize = maxFileSize;
    }

    /// <summary>The rule that keeps a crawl's item from being requested now: robots.txt, then the page limit; null to go on.</summary>
    public async Task<string?> BeforeRequestAsync(WorkItem work, CancellationToken cancellationToken)
    {
        if (await _session.CheckRobotsAsync(work.Target.CurrentUrl, work.Host, cancellationToken).ConfigureAwait(false) is { } disallowed)
        {
            return disallowed;
        }

        if (work.Target.Kind == ItemKind.Page && !work.Admitted)
        {
            if (await _session.AdmitPageAsync(work.Item.Id, cancellationToken).ConfigureAwait(false) is { } limit)
            {
                return limit;
            }

            work.Admitted = true;
        }

        return null;
    }

    /// <summary>The size filter of a crawl's images: the rule an image's size breaks, or null.</summary>
    /// <remarks>A body over the crawl's own <c>--max-size</c> is skipped; one over the job's <c>--max-filesize</c> alone fails.</remarks>
    public string? SizeFilter(AttemptOutcome outcome) =>
        outcome.Reason == FailureReason.TooSmall ? CrawlSkipRules.MinBytes
        : outcome.Reason == FailureReason.TooLarge && _session.Options.MaxBytes is { } max && !(_maxFileSize < max) ? CrawlSkipRules.MaxBytes
        : outcome.Succeeded ? _session.Filter.CheckSize(outcome.FileSize)
        : null;
}
