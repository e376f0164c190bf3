using System.Globalization;
using Haul.Fetching;
using Haul.Identity;
using Haul.Input;
using Haul.Journal;
using Haul.Reporting;
using Haul.Scheduling;
using Haul.Writing;
using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>
/// Runs a download job: input → journal → per-host scheduler → fetcher → verified writer → journal → report.
/// Running the same job again resumes it: done items whose files are intact are kept, partial bodies continue, and
/// items an earlier run left pending (interrupted, or re-queued by <see cref="JobVerifier"/>) are fetched too.
/// </summary>
public static class DownloadJob
{
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
        var madeFolder = OutputFolder.FirstMissing(OutputFolder.PartsFolder(options.OutputDirectory));
        var fileSystem = OutputFolder.Prepare(options.OutputDirectory);
        var root = fileSystem.Root;
        var time = options.TimeProvider;
        var started = time.GetTimestamp();
        var logger = options.LoggerFactory.CreateLogger("Haul.Engine");

        var owner = WorkerOwner();
        IJobJournal journal;
        try
        {
            // A shared job's kind is settled before this worker joins it (SharedCrawl), so that a command it refuses leaves no trace.
            journal = options.SharedJob is { } sharedJob
                ? await SharedJournals.OpenAsync(
                    sharedJob,
                    root,
                    owner,
                    async (opened, token) => crawl = await SharedCrawl.ResolveAsync(opened, sharedJob, crawl, time, token).ConfigureAwait(false),
                    time,
                    cancellationToken).ConfigureAwait(false)
                : await OutputFolder.OpenJournalAsync(root, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (options.SharedJob is not null && madeFolder is not null)
        {
            // A journal that cannot be reached, or a command the job refuses, leaves no trace: the folders made for it go again.
            OutputFolder.RemoveMade(OutputFolder.PartsFolder(root), madeFolder);
            throw;
        }

        var shared = journal as ISharedJobJournal;
        var heartbeat = shared is null ? null : new LeaseHeartbeat(shared, owner, options.SharedJob!.Lease, time, logger);
        await using (journal.ConfigureAwait(false))
        await using (heartbeat)
        {
            // Each worker commits a staged record before it places a file: their commits are grouped.
            if (journal is SqliteJobJournal local)
            {
                local.Committers = options.MaxConcurrency;
            }

            if (shared is null)
            {
                await OutputFolder.CheckJobKindAsync(journal, root, crawl is not null, cancellationToken).ConfigureAwait(false);
                if (crawl is not null && journal is SqliteJobJournal folderJournal)
                {
                    await OutputFolder.CheckCrawlOptionsAsync(folderJournal, root, crawl.Options, cancellationToken).ConfigureAwait(false);
                }
            }

            // Credentials in URLs are taken out before anything is stored: they live in memory for the run only.
            var identity = await JobIdentity.OpenAsync(options, journal, cancellationToken).ConfigureAwait(false);
            input = identity.Credentials.CollectAsync(input, cancellationToken);
            crawl = crawl is null ? null : crawl with { StartPages = identity.TakeCredentials(crawl.StartPages) };
            if (crawl is { Joined: false })
            {
                await CrawlJob.SeedAsync(journal, crawl, cancellationToken).ConfigureAwait(false);
                if (shared is null)
                {
                    // A shared job's done files are in many folders: haul verify --journal checks a folder's own.
                    await CrawlJob.ReopenChangedFilesAsync(journal, fileSystem, logger, cancellationToken).ConfigureAwait(false);
                }
            }

            var before = await journal.ReadCountsAsync(cancellationToken).ConfigureAwait(false);
            progress.Shared = shared is not null;
            progress.AddTotal(before.Items(ItemState.Pending));
            if (crawl is not null && shared is null)
            {
                // A shared crawl's worker counts only its own: the job's totals move with every other worker.
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
                    Owner: owner,
                    LeaseDuration: options.SharedJob?.Lease ?? TimeSpan.FromMinutes(10),
                    ProbeNewHosts: crawl is not null && !crawl.Options.IgnoreRobots,
                    HostGap: options.HostGap,
                    GapJitter: options.RandomWait ? Jitter(options.Randomizer) : null)
                {
                    PushBackPause = options.RetryBaseDelay,
                    PushBackPauseCap = options.RetryMaxDelay < HaulDefaults.HostPauseCap ? options.RetryMaxDelay : HaulDefaults.HostPauseCap,
                    BanPause = options.BanPause,
                    MaxPause = options.ItemTimeout,
                    Random = options.Randomizer ?? Random.Shared.NextDouble,
                    IdlePoll = shared is null ? null : SharedJournals.IdlePoll(options.SharedJob!.Lease),
                    SharedPacing = shared is not null,
                },
                item => CreateWork(root, partsFolder, item, crawl, options),
                time);
            if (shared is not null)
            {
                // The workers on the job share each host's connections; a worker that joins or leaves is counted at the next beat.
                frontier.ShareHosts(await shared.CountWorkersAsync(options.SharedJob!.Lease, cancellationToken).ConfigureAwait(false));
                heartbeat!.WorkersCounted = frontier.ShareHosts;
            }

            progress.SetHostSource(frontier.Snapshot, frontier.HostsWithEvents);
            // The scope starts from every start page the job has: those given now, and those an earlier run's start pages
            // redirected to.
            using var session = crawl is null
                ? null
                : new CrawlSession(
                    crawl.Options,
                    (await journal.ReadStartPagesAsync(cancellationToken).ConfigureAwait(false)).Select(u => new Uri(u)).ToList(),
                    options,
                    frontier,
                    before.Pages(ItemState.Done) + before.Pages(ItemState.Failed),
                    shared);

            string? diskFullPath = null;
            Exception? ingestFailure = null;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, journal.WriteFailed);
            async Task IngestAsync()
            {
                try
                {
                    await InputIngester.IngestAsync(journal, input, fileSystem, frontier, progress, logger, stop.Token).ConfigureAwait(false);
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

            using (var fetcher = new ItemFetcher(options, journal, progress, identity: identity))
            {
                var turns = shared is null ? null : new HostTurns(shared, frontier, options.SharedJob!.Lease);
                var runner = new AttemptRunner(options, fetcher, journal, progress, frontier, fileSystem, session, turns);
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
                    catch (Exception) when (stop.IsCancellationRequested || journal.WriteFailure is not null)
                    {
                        // Stopped (interrupted, disk full, or the journal failed): interrupted items stay pending. A
                        // journal that failed is said once, below; a worker waiting on it may learn of it before the stop.
                    }
                }

                if (session is not null && crawl is { Joined: false, Options.Sitemap: true })
                {
                    var seeded = await SitemapSeeder.SeedAsync(session, journal, crawl.StartPages, options, stop.Token).ConfigureAwait(false);
                    progress.PageRead(seeded, 0);
                }

                var ingest = Task.Run(IngestAsync, CancellationToken.None);
                var workers = Enumerable.Range(0, options.MaxConcurrency).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToList();
                await Task.WhenAll(workers.Append(ingest)).ConfigureAwait(false);
            }

            var journalName = options.SharedJob is { } job
                ? job.Describe()
                : $"'{SqliteJobJournal.DatabasePath(root)}'";
            if (journal.WriteFailure is { } writeFailure)
            {
                // Nothing of the failed batch was committed, and no file was renamed without its record: a rerun finds
                // every finished file again.
                throw DiskFullErrors.IsDiskFull(writeFailure)
                    ? DiskFullErrors.ToException(SqliteJobJournal.DatabasePath(root), writeFailure)
                    : new JournalWriteException(
                        $"the journal {journalName} could not be written ({writeFailure.Message}); the job stopped, finished files are kept, run the same command again",
                        writeFailure);
            }

            if (ingestFailure is not null)
            {
                throw DiskFullErrors.IsDiskFull(ingestFailure) ? DiskFullErrors.ToException(SqliteJobJournal.DatabasePath(root), ingestFailure) : ingestFailure;
            }

            JobReport report;
            try
            {
                await journal.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                if (shared is not null)
                {
                    await RemoveFinishedPartsAsync(partsFolder, shared, logger).ConfigureAwait(false);
                }

                report = await JobReportBuilder.BuildAsync(journal, progress, time.GetElapsedTime(started), CancellationToken.None).ConfigureAwait(false);
                await ReportWriter.WriteAsync(report, journal, root, CancellationToken.None).ConfigureAwait(false);
                if (crawl is not null && !crawl.Options.ListOnly)
                {
                    await ImageListWriter.WriteAsync(journal, root, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (diskFullPath is not null || DiskFullErrors.IsDiskFull(exception))
            {
                // With the disk full the journal's last batch may not fit either: files at their final paths are still
                // found again by the next run, which is all that matters.
                throw DiskFullErrors.ToException(diskFullPath ?? root, exception);
            }

            if (diskFullPath is not null)
            {
                throw DiskFullErrors.ToException(diskFullPath, null);
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
            return await JobReportBuilder.BuildAsync(journal, new JobProgress(), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A shared job's part files of items finished meanwhile, by this worker or another, go; a journal that fails now only leaves them.</summary>
    private static async Task RemoveFinishedPartsAsync(string partsFolder, ISharedJobJournal shared, ILogger logger)
    {
        try
        {
            await SharedParts.RemoveFinishedAsync(partsFolder, shared, CancellationToken.None).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException exception)
        {
            Log.PartsKept(logger, exception.Message);
        }
    }

    /// <summary>
    /// This process's key in claims: machine, process, a random part (containers often share both), and where the
    /// process id means this process (<see cref="SharedJournals.ProcessScope"/>).
    /// </summary>
    private static string WorkerOwner() =>
        $"{Environment.MachineName}/{Environment.ProcessId}/{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}/{SharedJournals.ProcessScope}";

    /// <summary>
    /// Reads the report of a shared job, with its workers and its hosts' shared state, without downloading anything,
    /// joining it or changing anything in its database.
    /// </summary>
    /// <exception cref="JournalJobNotFoundException">The journal has no such job.</exception>
    /// <exception cref="JournalUnavailableException">The journal cannot be reached or opened.</exception>
    public static async Task<JobReport> ReadStatusAsync(SharedJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var journal = await SharedJournals.OpenReadOnlyAsync(job, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            var report = await JobReportBuilder.BuildAsync(journal, new JobProgress(), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            return report with
            {
                Workers = await journal.ReadWorkersAsync(cancellationToken).ConfigureAwait(false),
                SharedHosts = await journal.ReadHostsAsync(cancellationToken).ConfigureAwait(false),
            };
        }
    }

    private static WorkItem CreateWork(string root, string partsFolder, JournalItem item, CrawlStart? crawl, HaulOptions options) =>
        new(item, CreateTarget(root, partsFolder, item, crawl, options)) { NotBefore = item.NotBefore };

    private static FetchTarget CreateTarget(string root, string partsFolder, JournalItem item, CrawlStart? crawlStart, HaulOptions options)
    {
        var crawl = crawlStart?.Options;
        var url = new Uri(item.Url);
        var partPath = options.SharedJob is null
            ? Path.Combine(partsFolder, item.Id.ToString(CultureInfo.InvariantCulture) + ".part")
            : SharedParts.Prepare(partsFolder, item.Id, item.LeaseToken, earlierClaims: item.Attempts > 0 || item.TotalSize is not null || item.ETag is not null);
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

        var target = new FetchTarget(item.Id, url, finalPath, partPath, item.ExpectedSha256)
        {
            LeaseToken = item.LeaseToken,
            // What a crawl found gets the user's credential headers only on a start page's origin.
            CredentialOrigin = crawlStart is null || crawlStart.StartPages.Any(p => RequestFactory.SameOrigin(p, url)) ? url : null,
            Kind = item.Kind,
            Referer = item.Referer,
            MaxBytes = item.Kind == ItemKind.Page ? crawl?.MaxPageBytes : Min(crawl?.MaxBytes, options.MaxFileSize),
            MinBytes = item.Kind == ItemKind.Page ? null : crawl?.MinBytes,
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

    /// <summary>wget's <c>--random-wait</c>: a factor between 0.5 and 1.5.</summary>
    private static Func<double> Jitter(Func<double>? randomizer)
    {
        var next = randomizer ?? Random.Shared.NextDouble;
        return () => 0.5 + next();
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}

