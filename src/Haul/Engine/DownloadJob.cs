using System.Globalization;
using Haul.Fetching;
using Haul.Input;
using Haul.Journal;
using Haul.Reporting;
using Haul.Scheduling;
using Haul.Writing;
using Microsoft.Data.Sqlite;

namespace Haul.Engine;

/// <summary>
/// Runs a download job: input → journal → per-host scheduler → fetcher → verified writer → journal → report.
/// Running the same job again resumes it: done items are kept, partial bodies continue.
/// </summary>
public static class DownloadJob
{
    /// <summary>SQLITE_FULL: the database could not grow.</summary>
    private const int SqliteFullErrorCode = 13;

    /// <summary>Downloads every request of <paramref name="input"/> into the output folder and writes the report.</summary>
    /// <exception cref="OutputFolderException">The output folder cannot be created or written.</exception>
    /// <exception cref="JournalLockedException">Another process is working on the output folder.</exception>
    /// <exception cref="DiskFullException">The disk filled up; nothing finished was lost, and the job can be run again.</exception>
    public static async Task<JobReport> RunAsync(
        HaulOptions options, InputBatch input, JobProgress? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        progress ??= new JobProgress();
        var root = PrepareOutputFolder(options.OutputDirectory);
        var time = options.TimeProvider;
        var started = time.GetTimestamp();

        var journal = await SqliteJobJournal.OpenAsync(root, time, cancellationToken).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            await journal.AddSkippedAsync(input.Skipped, cancellationToken).ConfigureAwait(false);
            var items = await journal.AddAsync(input.Requests, cancellationToken).ConfigureAwait(false);
            progress.AddTotal(items.Count + input.Skipped.Count);
            progress.AddSkipped(input.Skipped.Count);
            progress.AddAlreadyDone(items.Count(i => i.State == ItemState.Done));

            var scheduler = new HostScheduler<JournalItem>(options.MaxConcurrencyPerHost, time);
            progress.SetHostSource(scheduler.Snapshot);
            foreach (var item in items.Where(i => i.State != ItemState.Done))
            {
                scheduler.Enqueue(new Uri(item.Url).Host, item);
            }

            scheduler.CompleteAdding();
            string? diskFullPath = null;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using (var fetcher = new ItemFetcher(options, journal, progress))
            {
                var downloader = new ItemDownloader(options, fetcher, journal, progress, scheduler.PauseHost);
                var partsFolder = Path.Combine(root, SqliteJobJournal.StateFolderName, "parts");
                async Task WorkAsync()
                {
                    while (await scheduler.NextAsync(stop.Token).ConfigureAwait(false) is { } lease)
                    {
                        using (lease)
                        {
                            var target = CreateTarget(root, partsFolder, lease.Item);
                            var outcome = await downloader.DownloadAsync(lease.Item, target, stop.Token).ConfigureAwait(false);
                            if (outcome.Reason == FailureReason.DiskFull)
                            {
                                diskFullPath ??= target.FinalPath;
                                await stop.CancelAsync().ConfigureAwait(false);
                            }
                        }
                    }
                }

                var workers = Enumerable.Range(0, options.MaxConcurrency).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToArray();
                try
                {
                    await Task.WhenAll(workers).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (diskFullPath is not null || cancellationToken.IsCancellationRequested)
                {
                    // Interrupted items stay pending in the journal; the report below says so.
                }
            }

            JobReport report;
            try
            {
                await journal.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                report = await BuildReportAsync(journal, progress, time.GetElapsedTime(started), CancellationToken.None).ConfigureAwait(false);
                await ReportWriter.WriteAsync(report, root, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception) when (diskFullPath is not null || IsDiskFull(exception))
            {
                // With the disk full the journal's last batch may not fit either: files at their final paths are still
                // found again by the next run, which is all that matters.
                throw DiskFull(diskFullPath ?? root, exception);
            }

            if (diskFullPath is not null)
            {
                throw DiskFull(diskFullPath, null);
            }

            cancellationToken.ThrowIfCancellationRequested();
            return report;
        }
    }

    /// <summary>Reads the report of an output folder's journal without downloading anything.</summary>
    public static async Task<JobReport> ReadStatusAsync(string outputDirectory, CancellationToken cancellationToken)
    {
        if (!File.Exists(SqliteJobJournal.DatabasePath(outputDirectory)))
        {
            throw new OutputFolderException($"'{outputDirectory}' holds no haul journal (no {SqliteJobJournal.StateFolderName}/journal.db)");
        }

        var journal = await SqliteJobJournal.OpenReadOnlyAsync(outputDirectory, cancellationToken).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            return await BuildReportAsync(journal, new JobProgress(), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsDiskFull(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteFullErrorCode } || (exception is IOException io && FailureClassifier.IsDiskFull(io));

    private static DiskFullException DiskFull(string path, Exception? cause)
    {
        var message = $"the disk is full (writing '{path}'); finished files are kept, run the same command again once there is space";
        return cause is null ? new DiskFullException(message) : new DiskFullException(message, cause);
    }

    private static string PrepareOutputFolder(string outputDirectory)
    {
        var root = Path.GetFullPath(outputDirectory);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, SqliteJobJournal.StateFolderName, "parts"));
            var probe = Path.Combine(root, SqliteJobJournal.StateFolderName, "write-test");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new OutputFolderException($"cannot write to the output folder '{outputDirectory}': {exception.Message}", exception);
        }

        return root;
    }

    private static FetchTarget CreateTarget(string root, string partsFolder, JournalItem item)
    {
        var target = new FetchTarget(
            item.Id,
            new Uri(item.Url),
            OutputPathMapper.Resolve(root, item.OutputPath!),
            Path.Combine(partsFolder, item.Id.ToString(CultureInfo.InvariantCulture) + ".part"),
            item.ExpectedSha256)
        {
            ETag = item.ETag,
            TotalSize = item.TotalSize,
        };
        if (item.LastModified is { } lastModified
            && DateTimeOffset.TryParseExact(lastModified, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            target.LastModified = parsed;
        }

        return target;
    }

    private static async Task<JobReport> BuildReportAsync(IJobJournal journal, JobProgress progress, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var items = await journal.ReadItemsAsync(cancellationToken).ConfigureAwait(false);
        var failures = new List<FailedItem>();
        foreach (var item in items.Where(i => i.State == ItemState.Failed))
        {
            failures.Add(new FailedItem(item, await journal.ReadAttemptsAsync(item.Id, cancellationToken).ConfigureAwait(false)));
        }

        return new JobReport
        {
            Total = items.Count,
            Done = items.Count(i => i.State == ItemState.Done),
            Failed = failures.Count,
            Skipped = items.Count(i => i.State == ItemState.Skipped),
            Pending = items.Count(i => i.State is ItemState.Pending or ItemState.InProgress),
            BytesReceived = progress.BytesReceived,
            BytesDone = items.Where(i => i.State == ItemState.Done).Sum(i => i.Bytes),
            Elapsed = elapsed,
            RetriesByReason = progress.RetriesByReason,
            Failures = failures,
            SkippedItems = items.Where(i => i.State == ItemState.Skipped).ToList(),
        };
    }
}
