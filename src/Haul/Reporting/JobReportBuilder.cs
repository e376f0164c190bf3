using Haul.Engine;
using Haul.Input;
using Haul.Journal;

namespace Haul.Reporting;

/// <summary>Builds a job's <see cref="JobReport"/> from its journal: the counts, and the first few failures, skipped entries and backups.</summary>
internal static class JobReportBuilder
{
    /// <summary>How many failures, skipped entries and backups a report carries in memory; the files list them all.</summary>
    private const int SampleSize = 10;

    /// <summary>The report of the job as its journal stands; <paramref name="progress"/> gives the bytes received and the retries.</summary>
    internal static async Task<JobReport> BuildAsync(IJobJournal journal, JobProgress progress, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var counts = await journal.ReadCountsAsync(cancellationToken).ConfigureAwait(false);
        var failures = new List<FailedItem>();
        await foreach (var item in journal.ReadItemsAsync(ItemState.Failed, withBackupOnly: false, cancellationToken).ConfigureAwait(false))
        {
            failures.Add(new FailedItem(item, await journal.ReadAttemptsAsync(item.Id, cancellationToken).ConfigureAwait(false)));
            if (failures.Count == SampleSize)
            {
                break;
            }
        }

        var skipped = new List<SkippedInput>();
        await foreach (var entry in journal.ReadSkippedAsync(cancellationToken).ConfigureAwait(false))
        {
            skipped.Add(entry);
            if (skipped.Count == SampleSize)
            {
                break;
            }
        }

        var backups = new List<JournalItem>();
        await foreach (var item in journal.ReadItemsAsync(ItemState.Done, withBackupOnly: true, cancellationToken).ConfigureAwait(false))
        {
            backups.Add(item);
            if (backups.Count == SampleSize)
            {
                break;
            }
        }

        var items = counts.Items(ItemState.Pending) + counts.Items(ItemState.InProgress) + counts.Items(ItemState.Done)
            + counts.Items(ItemState.Failed) + counts.Items(ItemState.Skipped);
        return new JobReport
        {
            Total = items + counts.SkippedEntries,
            Done = counts.Items(ItemState.Done),
            Failed = counts.Items(ItemState.Failed),
            Skipped = counts.SkippedEntries + counts.Items(ItemState.Skipped),
            Pending = counts.Items(ItemState.Pending) + counts.Items(ItemState.InProgress),
            BytesReceived = progress.BytesReceived,
            BytesDone = counts.Bytes(ItemState.Done),
            Elapsed = elapsed,
            RetriesByReason = progress.RetriesByReason,
            FailuresByReason = counts.FailuresByReason,
            Failures = failures,
            SkippedItems = skipped,
            Backups = backups,
            BackupCount = counts.Backups,
            Hosts = progress.HostsThatPushedBack,
            Pages = counts.Pages(ItemState.Pending) + counts.Pages(ItemState.InProgress) + counts.Pages(ItemState.Done)
                + counts.Pages(ItemState.Failed) + counts.Pages(ItemState.Skipped) == 0
                ? null
                : new PageCounts(counts.Pages(ItemState.Done), counts.Pages(ItemState.Failed), counts.Pages(ItemState.Skipped),
                    counts.Pages(ItemState.Pending) + counts.Pages(ItemState.InProgress)),
        };
    }
}
