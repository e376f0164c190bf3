using System.Globalization;
using Haul.Fetching;
using Haul.Input;
using Haul.Journal;
using Haul.Reporting;
using Haul.Scheduling;
using Haul.Writing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>
/// Runs a download job: input → journal → per-host scheduler → fetcher → verified writer → journal → report.
/// Running the same job again resumes it: done items whose files are intact are kept, partial bodies continue, and
/// items an earlier run left pending (interrupted, or re-queued by <see cref="JobVerifier"/>) are fetched too.
/// </summary>
public static class DownloadJob
{
    /// <summary>SQLITE_FULL: the database could not grow.</summary>
    private const int SqliteFullErrorCode = 13;

    /// <summary>Downloads every request of <paramref name="input"/> into the output folder and writes the report.</summary>
    /// <exception cref="OutputFolderException">The output folder cannot be created or written, or holds a link where Haul's own folder belongs.</exception>
    /// <exception cref="JournalLockedException">Another process is working on the output folder.</exception>
    /// <exception cref="DiskFullException">The disk filled up; nothing finished was lost, and the job can be run again.</exception>
    /// <exception cref="JournalWriteException">The journal could not be written; nothing finished was lost, and the job can be run again.</exception>
    public static async Task<JobReport> RunAsync(
        HaulOptions options, InputBatch input, JobProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        options.Validate();
        progress ??= new JobProgress();
        var fileSystem = PrepareOutputFolder(options.OutputDirectory);
        var root = fileSystem.Root;
        var time = options.TimeProvider;
        var started = time.GetTimestamp();
        var logger = options.LoggerFactory.CreateLogger("Haul.Engine");

        var journal = await OpenJournalAsync(root, time, cancellationToken).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            var added = await journal.AddAsync(input.Requests, cancellationToken).ConfigureAwait(false);
            var skipped = input.Skipped.Concat(added.Skipped).ToList();
            await journal.AddSkippedAsync(skipped, cancellationToken).ConfigureAwait(false);
            var work = await CollectWorkAsync(journal, added.Items, fileSystem, logger, cancellationToken).ConfigureAwait(false);
            progress.AddTotal(work.Pending.Count + work.AlreadyDone + skipped.Count);
            progress.AddSkipped(skipped.Count);
            progress.AddAlreadyDone(work.AlreadyDone);

            var scheduler = new HostScheduler<JournalItem>(options.MaxConcurrencyPerHost, time);
            progress.SetHostSource(scheduler.Snapshot);
            foreach (var item in work.Pending)
            {
                scheduler.Enqueue(new Uri(item.Url).Host, item);
            }

            scheduler.CompleteAdding();
            string? diskFullPath = null;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, journal.WriteFailed);
            using (var fetcher = new ItemFetcher(options, journal, progress))
            {
                var downloader = new ItemDownloader(options, fetcher, journal, progress, scheduler.PauseHost, fileSystem);
                var partsFolder = Path.Combine(root, SqliteJobJournal.StateFolderName, "parts");
                async Task WorkAsync()
                {
                    try
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
                    catch (Exception) when (stop.IsCancellationRequested)
                    {
                        // Stopped (interrupted, disk full, or the journal failed): interrupted items stay pending.
                    }
                }

                var workers = Enumerable.Range(0, options.MaxConcurrency).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToArray();
                await Task.WhenAll(workers).ConfigureAwait(false);
            }

            if (journal.WriteFailure is { } writeFailure)
            {
                // Nothing of the failed batch was committed, and no file was renamed without its record: a rerun finds
                // every finished file again.
                throw IsDiskFull(writeFailure)
                    ? DiskFull(SqliteJobJournal.DatabasePath(root), writeFailure)
                    : new JournalWriteException(
                        $"the journal '{SqliteJobJournal.DatabasePath(root)}' could not be written ({writeFailure.Message}); the job stopped, finished files are kept, run the same command again",
                        writeFailure);
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

    internal static async Task<SqliteJobJournal> OpenJournalAsync(string root, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await SqliteJobJournal.OpenAsync(root, time, cancellationToken).ConfigureAwait(false);
        }
        catch (UnsafePathException exception)
        {
            throw new OutputFolderException($"cannot use the output folder '{root}': {exception.Message}", exception);
        }
    }

    /// <summary>
    /// What this run fetches: the items of the input that are not done, done items whose file went missing or changed
    /// (size and modification time against the journal, then the SHA-256), and items an earlier run left pending.
    /// </summary>
    private static async Task<(List<JournalItem> Pending, int AlreadyDone)> CollectWorkAsync(
        IJobJournal journal, IReadOnlyList<JournalItem> items, SafeFileSystem fileSystem, ILogger logger, CancellationToken cancellationToken)
    {
        var pending = new List<JournalItem>();
        var alreadyDone = 0;
        var inInput = new HashSet<long>();
        foreach (var item in items)
        {
            inInput.Add(item.Id);
            if (item.State != ItemState.Done)
            {
                pending.Add(item);
            }
            else if (await DoneFileIntactAsync(journal, item, fileSystem, logger, cancellationToken).ConfigureAwait(false))
            {
                alreadyDone++;
            }
            else
            {
                journal.Record(new ItemReopened(item.Id));
                pending.Add(item with { State = ItemState.Pending });
            }
        }

        foreach (var item in await journal.ReadItemsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.State == ItemState.Pending && !inInput.Contains(item.Id))
            {
                pending.Add(item);
            }
        }

        return (pending, alreadyDone);
    }

    private static async Task<bool> DoneFileIntactAsync(
        IJobJournal journal, JournalItem item, SafeFileSystem fileSystem, ILogger logger, CancellationToken cancellationToken)
    {
        var path = OutputPathMapper.Resolve(fileSystem.Root, item.OutputPath!);
        if (SafeFileSystem.Inspect(path) != EntryKind.File)
        {
            Log.DoneFileChanged(logger, new Uri(item.Url), item.OutputPath!, "is missing");
            return false;
        }

        var file = new FileInfo(path);
        if (file.Length == item.Bytes && (item.FileModified is null || file.LastWriteTimeUtc.Ticks == item.FileModified))
        {
            return true;
        }

        try
        {
            var sha256 = await FilePlacer.HashAsync(path, cancellationToken).ConfigureAwait(false);
            if (string.Equals(sha256, item.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                // Touched, not changed: remember the new time.
                journal.Record(new ItemDone(item.Id, file.Length, sha256, file.LastWriteTimeUtc.Ticks));
                return true;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Unreadable or not a regular file any more: fetched again, and the fetch says what is wrong.
        }

        Log.DoneFileChanged(logger, new Uri(item.Url), item.OutputPath!, "changed");
        return false;
    }

    private static bool IsDiskFull(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteFullErrorCode } || (exception is IOException io && FailureClassifier.IsDiskFull(io))
        || (exception.InnerException is { } inner && IsDiskFull(inner));

    private static DiskFullException DiskFull(string path, Exception? cause)
    {
        var message = $"the disk is full (writing '{path}'); finished files are kept, run the same command again once there is space";
        return cause is null ? new DiskFullException(message) : new DiskFullException(message, cause);
    }

    /// <summary>Creates the output folder and Haul's state folder in it, refusing links where Haul's own folders belong.</summary>
    internal static SafeFileSystem PrepareOutputFolder(string outputDirectory)
    {
        try
        {
            // The output folder itself is the user's choice, a link included.
            Directory.CreateDirectory(outputDirectory);
            var fileSystem = new SafeFileSystem(outputDirectory);
            var stateFolder = Path.Combine(fileSystem.Root, SqliteJobJournal.StateFolderName);
            fileSystem.CreateFolder(Path.Combine(stateFolder, "parts"));
            var probe = Path.Combine(stateFolder, "write-test");
            File.Delete(probe);
            NoFollowFile.Open(probe, NoFollowFile.Mode.CreateNew).Dispose();
            File.Delete(probe);
            return fileSystem;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var reason = exception is UnsafePathException ? exception.Message : IoErrors.Describe(exception);
            throw new OutputFolderException($"cannot write to the output folder '{outputDirectory}': {reason}", exception);
        }
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
            StagedBytes = item.Sha256 is null ? null : item.Bytes,
            StagedSha256 = item.Sha256,
        };
        if (item.LastModified is { } lastModified
            && DateTimeOffset.TryParseExact(lastModified, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            target.LastModified = parsed;
        }

        return target;
    }

    internal static async Task<JobReport> BuildReportAsync(IJobJournal journal, JobProgress progress, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var items = await journal.ReadItemsAsync(cancellationToken).ConfigureAwait(false);
        var skipped = await journal.ReadSkippedAsync(cancellationToken).ConfigureAwait(false);
        var failures = new List<FailedItem>();
        foreach (var item in items.Where(i => i.State == ItemState.Failed))
        {
            failures.Add(new FailedItem(item, await journal.ReadAttemptsAsync(item.Id, cancellationToken).ConfigureAwait(false)));
        }

        return new JobReport
        {
            Total = items.Count + skipped.Count,
            Done = items.Count(i => i.State == ItemState.Done),
            Failed = failures.Count,
            Skipped = skipped.Count + items.Count(i => i.State == ItemState.Skipped),
            Pending = items.Count(i => i.State is ItemState.Pending or ItemState.InProgress),
            BytesReceived = progress.BytesReceived,
            BytesDone = items.Where(i => i.State == ItemState.Done).Sum(i => i.Bytes),
            Elapsed = elapsed,
            RetriesByReason = progress.RetriesByReason,
            Failures = failures,
            SkippedItems = skipped,
            Backups = items.Where(i => i.State == ItemState.Done && i.BackupPath is not null).ToList(),
        };
    }
}
