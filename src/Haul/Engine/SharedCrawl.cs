using Haul.Journal;

namespace Haul.Engine;

/// <summary>
/// A crawl many workers share: the command that starts it keeps its options in the job (<see cref="CrawlDefinition"/>),
/// and every worker that joins crawls by them, from the job's start pages. A job is a crawl or a list from its start:
/// neither becomes the other, and a crawl's options do not change under workers that run by them.
/// </summary>
internal static class SharedCrawl
{
    /// <summary>
    /// The crawl this worker does in <paramref name="job"/>: <paramref name="crawl"/> (the command's own, made the job's
    /// when the job is new), the job's (for a worker that joins it), or null for a list job.
    /// </summary>
    /// <exception cref="JobMismatchException">The command and the job disagree.</exception>
    public static async Task<CrawlStart?> ResolveAsync(ISharedJobJournal journal, SharedJob job, CrawlStart? crawl, CancellationToken cancellationToken)
    {
        if (crawl is null)
        {
            if (await journal.ReadCrawlAsync(cancellationToken).ConfigureAwait(false) is not { } stored)
            {
                return null;
            }

            if (!job.MustExist)
            {
                throw new JobMismatchException(
                    $"the job '{job.Name}' is a crawl: a list cannot be added to it; join it with haul worker, or give the list a job of its own");
            }

            CrawlOptions options;
            try
            {
                options = CrawlDefinition.Read(stored);
            }
            catch (InvalidDataException exception)
            {
                throw new JobMismatchException($"the job '{job.Name}': {exception.Message}");
            }

            var startPages = await journal.ReadStartPagesAsync(cancellationToken).ConfigureAwait(false);
            return new CrawlStart([.. startPages.Select(page => new Uri(page))], options) { Joined = true };
        }

        if (crawl.Options.ListOnly)
        {
            throw new JobMismatchException("a crawl that only lists its images (--list) is one process's: it cannot run on a shared journal");
        }

        var definition = CrawlDefinition.Write(crawl.Options);
        var defined = await journal.DefineCrawlAsync(definition, cancellationToken).ConfigureAwait(false)
            ?? throw new JobMismatchException($"the job '{job.Name}' is a list job of haul get; a crawl needs a job of its own (another --job)");
        if (CrawlDefinition.Differences(defined, definition) is { Count: > 0 } differences)
        {
            throw new JobMismatchException(
                $"the job '{job.Name}' crawls with other options: {string.Join(", ", differences)}; give the job's options, join it with haul worker, or crawl as another --job");
        }

        return crawl;
    }
}
