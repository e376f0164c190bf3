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

    /// <summary>Entries added to the journal in one transaction: large enough to be cheap, small enough to start soon.</summary>
    private const int IngestBatchSize = 5000;

    /// <summary>Downloads every request of <paramref name="input"/> into the output folder and writes the report.</summary>
    /// <exception cref="OutputFolderException">The output folder cannot be created or written, or holds a link where Haul's own folder belongs.</exception>
    /// <exception cref="JournalLockedException">Another process is working on the output folder.</exception>
    /// <exception cref="DiskFullException">The disk filled up; nothing finished was lost, and the job can be run again.</exception>
    /// <exception cref="JournalWriteException">The journal could not be written; nothing finished was lost, and the job can be run again.</exception>
    public static Task<JobReport> RunAsync(
        HaulOptions options, InputBatch input, JobProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return RunAsync(options, input.ReadAsync(), progress, cancellationToken);
    }

    /// <summary>
    /// Downloads every request of a streamed input into the output folder and writes the report. The input is added
    /// to the journal in batches while the downloads run, so a list of any length never sits in memory; the job also
    /// finishes whatever an earlier run of it left pending.
    /// </summary>
    /// <exception cref="OutputFolderException">The output folder cannot be created or written, or holds a link where Haul's own folder belongs.</exception>
    /// <exception cref="JournalLockedException">Another process is working on the output folder.</exception>
    /// <exception cref="DiskFullException">The disk filled up; nothing finished was lost, and the job can be run again.</exception>
    /// <exception cref="JournalWriteException">The journal could not be written; nothing finished was lost, and the job can be run again.</exception>
    public static Task<JobReport> RunAsync(
        HaulOptions options, IAsyncEnumerable<InputEntry> input, JobProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        return RunCoreAsync(options, input, null, progress ?? new JobProgress(), cancellationToken);
    }

    /// <summary>A list job (<paramref name="crawl"/> null) or a crawl: the same journal, frontier, attempts and report.</summary>
    internal static async Task<JobReport> RunCoreAsync(
        HaulOptions options, IAsyncEnumerable<InputEntry> input, CrawlStart? crawl, JobProgress progress, CancellationToken cancellationToken)
    {
        options.Validate();
        var fileSystem = PrepareOutputFolder(options.OutputDirectory);
        var root = fileSystem.Root;
        var time = options.TimeProvider;
        var started = time.GetTimestamp();
        var logger = options.LoggerFactory.CreateLogger("Haul.Engine");

        var journal = await OpenJournalAsync(root, time, cancellationToken).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            await CheckJobKindAsync(journal, root, crawl is not null, cancellationToken).ConfigureAwait(false);
            if (crawl is not null)
            {
                await CrawlJob.SeedAsync(journal, crawl, cancellationToken).ConfigureAwait(false);
                await CrawlJob.ReopenChangedFilesAsync(journal, fileSystem, logger, cancellationToken).ConfigureAwait(false);
            }

            var before = await journal.ReadCountsAsync(cancellationToken).ConfigureAwait(false);
            progress.AddTotal(before.Items(ItemState.Pending));
            if (crawl is not null)
            {
                progress.AddTotal(before.Items(ItemState.Done));
                progress.AddAlreadyDone(before.Items(ItemState.Done));
                var pages = before.Pages(ItemState.Pending) + before.Pages(ItemState.InProgress) + before.Pages(ItemState.Done);
                var images = before.Items(ItemState.Pending) + before.Items(ItemState.InProgress) + before.Items(ItemState.Done) - pages;
                progress.AddCrawlTotals(pages, before.Pages(ItemState.Done), images, before.Items(ItemState.Done) - before.Pages(ItemState.Done));
            }

            var partsFolder = Path.Combine(root, SqliteJobJournal.StateFolderName, "parts");
            using var frontier = new Frontier(
                journal,
                new FrontierOptions(
                    options.MaxConcurrencyPerHost,
                    MaxActiveHosts: Math.Max(64, options.MaxConcurrency * 2),
                    Window: Math.Max(16, options.MaxConcurrencyPerHost * 4),
                    Owner: $"{Environment.MachineName}/{Environment.ProcessId}",
                    LeaseDuration: TimeSpan.FromMinutes(10),
                    ProbeNewHosts: crawl is not null),
                item => CreateWork(root, partsFolder, item, crawl?.Options, options),
                time);
            progress.SetHostSource(frontier.Snapshot);
            // The scope starts from every start page the job has: those given now, and those an earlier run's start pages
            // redirected to.
            using var session = crawl is null
                ? null
                : new CrawlSession(
                    crawl.Options,
                    (await journal.ReadStartPagesAsync(cancellationToken).ConfigureAwait(false)).Select(u => new Uri(u)).ToList(),
                    options,
                    frontier,
                    before.Pages(ItemState.Done) + before.Pages(ItemState.Failed));

            string? diskFullPath = null;
            Exception? ingestFailure = null;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, journal.WriteFailed);
            async Task IngestAsync()
            {
                try
                {
                    await IngestInputAsync(journal, input, fileSystem, frontier, progress, logger, stop.Token).ConfigureAwait(false);
                }
                catch (Exception exception) when (!stop.IsCancellationRequested)
                {
                    ingestFailure = exception;
                    await stop.CancelAsync().ConfigureAwait(false);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    // Stopped: what was added is in the journal.
                }
                finally
                {
                    frontier.InputComplete();
                }
            }

            using (var fetcher = new ItemFetcher(options, journal, progress))
            {
                var runner = new AttemptRunner(options, fetcher, journal, progress, frontier, fileSystem, session);
                async Task WorkAsync()
                {
                    try
                    {
                        while (await frontier.NextAsync(stop.Token).ConfigureAwait(false) is { } work)
                        {
                            var attemptedHost = work.Host;
                            var decision = WorkDecision.Abandoned;
                            try
                            {
                                (decision, var outcome) = await runner.RunAsync(work, stop.Token).ConfigureAwait(false);
                                if (outcome?.Reason == FailureReason.DiskFull)
                                {
                                    diskFullPath ??= work.Target.FinalPath;
                                    await stop.CancelAsync().ConfigureAwait(false);
                                }
                            }
                            finally
                            {
                                frontier.Complete(work, decision, attemptedHost);
                            }
                        }
                    }
                    catch (Exception) when (stop.IsCancellationRequested)
                    {
                        // Stopped (interrupted, disk full, or the journal failed): interrupted items stay pending.
                    }
                }

                if (session is not null && crawl!.Options.Sitemap)
                {
                    var seeded = await SitemapSeeder.SeedAsync(session, journal, crawl.StartPages, options, stop.Token).ConfigureAwait(false);
                    progress.PageRead(seeded, 0);
                }

                var ingest = Task.Run(IngestAsync, CancellationToken.None);
                var workers = Enumerable.Range(0, options.MaxConcurrency).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToList();
                await Task.WhenAll(workers.Append(ingest)).ConfigureAwait(false);
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

            if (ingestFailure is not null)
            {
                throw IsDiskFull(ingestFailure) ? DiskFull(SqliteJobJournal.DatabasePath(root), ingestFailure) : ingestFailure;
            }

            JobReport report;
            try
            {
                await journal.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                report = await BuildReportAsync(journal, progress, time.GetElapsedTime(started), CancellationToken.None).ConfigureAwait(false);
                await ReportWriter.WriteAsync(report, journal, root, CancellationToken.None).ConfigureAwait(false);
                if (crawl is not null && !crawl.Options.ListOnly)
                {
                    await ImageListWriter.WriteAsync(journal, root, CancellationToken.None).ConfigureAwait(false);
                }
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

    /// <summary>
    /// One output folder is one job: a crawl's folder is resumed by <c>haul crawl</c>, a list's by <c>haul get</c>, and
    /// neither takes the other's (their items, reports and reruns would mix). An empty journal takes either.
    /// </summary>
    private static async Task CheckJobKindAsync(IJobJournal journal, string root, bool crawling, CancellationToken cancellationToken)
    {
        var counts = await journal.ReadCountsAsync(cancellationToken).ConfigureAwait(false);
        var items = Enum.GetValues<ItemState>().Sum(counts.Items);
        var pages = Enum.GetValues<ItemState>().Sum(counts.Pages);
        if (crawling && items > 0 && pages == 0)
        {
            throw new OutputFolderException($"'{root}' holds a list job of haul get; a crawl needs an output folder of its own");
        }

        if (!crawling && pages > 0)
        {
            throw new OutputFolderException($"'{root}' holds a crawl; run the same haul crawl command to resume it, and give haul get an output folder of its own");
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
        catch (JournalLockedException exception) when (exception.InnerException is { } inner && IsDiskFull(inner))
        {
            throw DiskFull(SqliteJobJournal.DatabasePath(root), exception);
        }
    }

    /// <summary>
    /// Streams the input into the journal in batches. Each batch costs what it holds, not what the job holds; skipped
    /// entries are recorded with their rule as they come; the frontier hears of each batch at once.
    /// </summary>
    private static async Task IngestInputAsync(
        IJobJournal journal, IAsyncEnumerable<InputEntry> input, SafeFileSystem fileSystem, Frontier frontier, JobProgress progress,
        ILogger logger, CancellationToken cancellationToken)
    {
        var requests = new List<DownloadRequest>(IngestBatchSize);
        var skipped = new List<SkippedInput>();
        async Task FlushAsync()
        {
            var result = await journal.AddAsync(
                requests, (item, token) => DoneFileIntactAsync(journal, item, fileSystem, logger, token), cancellationToken).ConfigureAwait(false);
            progress.AddInputRequests(requests.Count);
            progress.AddTotal(result.Inserted + result.Reopened + result.AlreadyDone);
            progress.AddAlreadyDone(result.AlreadyDone);
            foreach (var entry in result.Skipped)
            {
                progress.InputEntrySkipped(entry);
            }

            skipped.AddRange(result.Skipped);
            await journal.AddSkippedAsync(skipped, cancellationToken).ConfigureAwait(false);
            requests.Clear();
            skipped.Clear();
            frontier.InputAdded();
        }

        await foreach (var entry in input.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (entry)
            {
                case DownloadRequest request:
                    requests.Add(request);
                    break;
                case SkippedInput skip:
                    skipped.Add(skip);
                    progress.InputEntrySkipped(skip);
                    break;
            }

            if (requests.Count + skipped.Count >= IngestBatchSize)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        await FlushAsync().ConfigureAwait(false);
    }

    internal static async ValueTask<bool> DoneFileIntactAsync(
        IJobJournal journal, JournalItem item, SafeFileSystem fileSystem, ILogger logger, CancellationToken cancellationToken)
    {
        string change;
        try
        {
            var path = OutputPathMapper.Resolve(fileSystem.Root, item.OutputPath!);
            fileSystem.CheckParentFolders(path);
            if (SafeFileSystem.Inspect(path) != EntryKind.File)
            {
                Log.DoneFileChanged(logger, new Uri(item.Url), item.OutputPath!, "is missing");
                return false;
            }

            var file = new FileInfo(path);
            if (file.Length == item.Bytes && file.LastWriteTimeUtc.Ticks == item.FileModified)
            {
                return true;
            }

            // Changed size or time, or a done item of an older journal that has no time yet: the SHA-256 decides.
            var sha256 = await FilePlacer.HashAsync(path, cancellationToken).ConfigureAwait(false);
            if (string.Equals(sha256, item.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                journal.Record(new ItemDone(item.Id, file.Length, sha256, file.LastWriteTimeUtc.Ticks));
                return true;
            }

            change = "changed";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Unreadable, not a regular file, or behind a link: fetched again, and the fetch says what is wrong.
            change = "cannot be read (" + exception.Message + ")";
        }

        Log.DoneFileChanged(logger, new Uri(item.Url), item.OutputPath!, change);
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

    private static WorkItem CreateWork(string root, string partsFolder, JournalItem item, CrawlOptions? crawl, HaulOptions options) =>
        new(item, CreateTarget(root, partsFolder, item, crawl, options)) { NotBefore = item.NotBefore };

    private static FetchTarget CreateTarget(string root, string partsFolder, JournalItem item, CrawlOptions? crawl, HaulOptions options)
    {
        var partPath = Path.Combine(partsFolder, item.Id.ToString(CultureInfo.InvariantCulture) + ".part");
        string finalPath;
        string? unusable = null;
        try
        {
            // A page is read from its part file and not kept: it has no final path.
            finalPath = item.Kind == ItemKind.Page || item.OutputPath is null ? partPath + ".page" : OutputPathMapper.Resolve(root, item.OutputPath);
        }
        catch (InvalidOperationException exception)
        {
            // Only a journal edited by hand gets here: that item fails, the job goes on.
            finalPath = partPath + ".unusable";
            unusable = exception.Message;
        }

        var target = new FetchTarget(item.Id, new Uri(item.Url), finalPath, partPath, item.ExpectedSha256)
        {
            Kind = item.Kind,
            Referer = item.Referer,
            MaxBytes = item.Kind == ItemKind.Page ? crawl?.MaxPageBytes : Min(crawl?.MaxBytes, options.MaxFileSize),
            Unusable = unusable,
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

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    /// <summary>How many failures, skipped entries and backups a report carries in memory; the files list them all.</summary>
    private const int SampleSize = 10;

    internal static async Task<JobReport> BuildReportAsync(IJobJournal journal, JobProgress progress, TimeSpan elapsed, CancellationToken cancellationToken)
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
            Pages = counts.Pages(ItemState.Pending) + counts.Pages(ItemState.InProgress) + counts.Pages(ItemState.Done)
                + counts.Pages(ItemState.Failed) + counts.Pages(ItemState.Skipped) == 0
                ? null
                : new PageCounts(counts.Pages(ItemState.Done), counts.Pages(ItemState.Failed), counts.Pages(ItemState.Skipped),
                    counts.Pages(ItemState.Pending) + counts.Pages(ItemState.InProgress)),
        };
    }
}
