using Haul.Input;
using Haul.Journal;
using Haul.Reporting;

namespace Haul.Engine;

/// <summary>
/// Runs a crawl: from its start pages, every page in scope is read and every full-size image on them saved. Pages are
/// items of the same journal and frontier as files, fetched by the same fetcher under the same host limits, so a crawl
/// resumes as a list does: running it again (after a crash, kill -9 included) fetches no done page or image again and
/// gives failed ones a fresh start. The output folder gets <c>images.jsonl</c> besides the report.
/// </summary>
public static class CrawlJob
{
    /// <summary>Crawls from <paramref name="startPages"/> into <see cref="HaulOptions.OutputDirectory"/>.</summary>
    /// <exception cref="OutputFolderException">The output folder cannot be created or written, or holds a link where Haul's own folder belongs.</exception>
    /// <exception cref="JournalLockedException">Another process is working on the output folder.</exception>
    /// <exception cref="JobMismatchException">The output folder holds a crawl with other options (a rerun may only raise <see cref="CrawlOptions.MaxPages"/>).</exception>
    /// <exception cref="DiskFullException">The disk filled up; nothing finished was lost, and the crawl can be run again.</exception>
    /// <exception cref="JournalWriteException">The journal could not be written; nothing finished was lost, and the crawl can be run again.</exception>
    public static Task<JobReport> RunAsync(
        HaulOptions options, CrawlOptions crawl, IReadOnlyList<Uri> startPages, JobProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(crawl);
        ArgumentNullException.ThrowIfNull(startPages);
        crawl.Validate();
        foreach (var page in startPages)
        {
            if (UrlRules.Check(page.AbsoluteUri) is { } problem)
            {
                throw new ArgumentException($"start page '{page}': {problem}", nameof(startPages));
            }
        }

        return DownloadJob.RunCoreAsync(options, Empty(), new CrawlStart(startPages, crawl), progress ?? new JobProgress(), cancellationToken);
    }

    /// <summary>Adds the start pages to the job (those it has are kept as they are) and gives failed items a fresh start.</summary>
    internal static async Task SeedAsync(IJobJournal journal, CrawlStart crawl, CancellationToken cancellationToken)
    {
        await journal.ReopenFailedAsync(cancellationToken).ConfigureAwait(false);
        var seeds = crawl.StartPages.Select(page => new FoundItem(page, ItemKind.Page) { Source = FoundItem.StartPageSource }).ToList();
        await journal.RecordFoundAsync(new PageFindings(seeds), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A rerun's check of the crawl's done images and saved pages, as a list job checks the done items its input names:
    /// one that went missing or changed (its size or time differs, and then its SHA-256) is fetched again. A stat a file;
    /// a hash only for a changed one.
    /// </summary>
    internal static async Task ReopenChangedFilesAsync(IJobJournal journal, Writing.SafeFileSystem fileSystem, Microsoft.Extensions.Logging.ILogger logger, CancellationToken cancellationToken)
    {
        var changed = new List<long>();
        await foreach (var item in journal.ReadItemsAsync(ItemState.Done, withBackupOnly: false, cancellationToken).ConfigureAwait(false))
        {
            if (DoneFileCheck.HasFile(item)
                && !await DoneFileCheck.IntactAsync(journal, item, fileSystem, logger, cancellationToken).ConfigureAwait(false))
            {
                changed.Add(item.Id);
            }
        }

        foreach (var id in changed)
        {
            journal.Record(new ItemReopened(id));
        }

        await journal.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<InputEntry> Empty()
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }
}
