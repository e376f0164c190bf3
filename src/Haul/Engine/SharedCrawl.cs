using Haul.Journal;

namespace Haul.Engine;

/// <summary>
/// A shared job's kind, and the crawl a worker of a shared crawl does. The first command that gives the job work fixes
/// its kind: a list (<c>haul get</c> with input) or a crawl, whose options the job keeps (<see cref="CrawlDefinition"/>)
/// so that every worker that joins crawls by them. Neither kind becomes the other, and a crawl's options do not change
/// under the workers that run by them.
/// </summary>
internal static class SharedCrawl
{
    /// <summary>How long a worker started with its job waits for the job's kind to be fixed (its command does it at once).</summary>
    private static readonly TimeSpan KindWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan KindPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The crawl this worker does in <paramref name="job"/>: <paramref name="crawl"/> (the command's own, made the job's
    /// when the job is new), the job's (for a worker that joins it), or null for a list job. Called before the worker
    /// joins, so that a refused command leaves no trace in the job or in its folder.
    /// </summary>
    /// <exception cref="JobMismatchException">The command and the job disagree.</exception>
    public static async Task<CrawlStart?> ResolveAsync(
        ISharedJobJournal journal, SharedJob job, CrawlStart? crawl, TimeProvider time, CancellationToken cancellationToken)
    {
        if (crawl is null && job.MustExist)
        {
            return await JoinAsync(journal, job, time, cancellationToken).ConfigureAwait(false);
        }

        if (crawl?.Options.ListOnly == true)
        {
            throw new JobMismatchException(ListOnShared);
        }

        var wanted = crawl is null ? new JobDefinition(JobKind.List) : new JobDefinition(JobKind.Crawl, CrawlDefinition.Write(crawl.Options));
        var kept = await journal.DefineAsync(wanted, cancellationToken).ConfigureAwait(false);
        if (kept.Kind != wanted.Kind)
        {
            throw new JobMismatchException(crawl is null
                ? $"the job '{job.Name}' is a crawl: a list cannot be added to it; join it with haul worker, or give the list a job of its own"
                : $"the job '{job.Name}' is a list job of haul get; a crawl needs a job of its own (another --job)");
        }

        if (crawl is not null && CrawlDefinition.Differences(kept.Crawl!, wanted.Crawl!) is { Count: > 0 } differences)
        {
            throw new JobMismatchException(
                $"the job '{job.Name}' crawls with other options: {string.Join(", ", differences)}; give the job's options, join it with haul worker, or crawl as another --job");
        }

        return crawl;
    }

    /// <summary>The refusal of <see cref="CrawlOptions.ListOnly"/> on a shared journal.</summary>
    public const string ListOnShared = "--list prints one process's findings: it cannot run on a shared journal (--journal); crawl into a folder of its own";

    /// <summary>The crawl a worker that joins does: the job's, from the start pages commands gave; null for a list.</summary>
    private static async Task<CrawlStart?> JoinAsync(ISharedJobJournal journal, SharedJob job, TimeProvider time, CancellationToken cancellationToken)
    {
        // A worker started together with its job may find it with no kind for a moment: a job with none after that has
        // no work either, and the worker leaves as from a list.
        var definition = await WaitForAsync(journal.ReadDefinitionAsync, d => d.Kind is not null, time, cancellationToken).ConfigureAwait(false);

        if (definition is not { Kind: JobKind.Crawl, Crawl: { } text })
        {
            return null;
        }

        CrawlOptions options;
        try
        {
            options = CrawlDefinition.Read(text);
        }
        catch (InvalidDataException exception)
        {
            throw new JobMismatchException($"the crawl options of the job '{job.Name}' cannot be read ({exception.Message})");
        }

        // Only the start pages commands gave: a user's credentials go to their origins, never to where one redirected.
        // The command that defined the crawl adds them at once: a worker started with it waits for them.
        var startPages = await WaitForAsync(journal.ReadGivenStartPagesAsync, pages => pages.Count > 0, time, cancellationToken).ConfigureAwait(false);
        return new CrawlStart(startPages, options) { Joined = true };
    }

    /// <summary>Reads with <paramref name="read"/> until <paramref name="ready"/> holds, for at most <see cref="KindWait"/>; returns the last read.</summary>
    private static async Task<T> WaitForAsync<T>(Func<CancellationToken, Task<T>> read, Func<T, bool> ready, TimeProvider time, CancellationToken cancellationToken)
    {
        var value = await read(cancellationToken).ConfigureAwait(false);
        for (var waited = TimeSpan.Zero; !ready(value) && waited < KindWait; waited += KindPoll)
        {
            await Task.Delay(KindPoll, time, cancellationToken).ConfigureAwait(false);
            value = await read(cancellationToken).ConfigureAwait(false);
        }

        return value;
    }
}
