using Haul.Journal;
using Haul.Journal.Postgres;
using Haul.Writing;
using Npgsql;

namespace Haul.Engine;

/// <summary>
/// Checks every done file of a job (a crawl's saved pages included) against the journal: present, a regular file, its size and SHA-256 (and the
/// SHA-256 the input asked for). A file that fails is put back to pending, so the next run of the job fetches it again.
/// Takes the job's lock like any run. A worker folder of a shared job is checked against the shared journal: only the
/// files the journal says that folder holds, and those that fail are put back to pending for any worker to fetch.
/// </summary>
public static class JobVerifier
{
    /// <summary>Problems found before they are put back to pending in a shared journal, at most.</summary>
    private const int ReopenBatch = 500;

    /// <summary>Re-hashes every done file of the job in <paramref name="outputDirectory"/>.</summary>
    /// <param name="outputDirectory">The job's output folder.</param>
    /// <param name="progress">Told the number of files checked so far; may be null.</param>
    /// <param name="cancellationToken">Stops the check; what was found so far is recorded.</param>
    /// <exception cref="OutputFolderException">The folder holds no journal (or is a worker folder of a shared job).</exception>
    /// <exception cref="JournalLockedException">Another process is working on the job.</exception>
    public static async Task<VerifyReport> VerifyAsync(string outputDirectory, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(SqliteJobJournal.DatabasePath(outputDirectory)))
        {
            if (SharedJournals.ReadMarker(outputDirectory) is { } shared)
            {
                throw new OutputFolderException(
                    $"'{outputDirectory}' holds files of the shared job '{shared}'; verify them with haul verify --journal URI --job {shared} {outputDirectory}");
            }

            throw new OutputFolderException($"'{outputDirectory}' holds no haul journal (no {SqliteJobJournal.StateFolderName}/journal.db)");
        }

        var fileSystem = new SafeFileSystem(outputDirectory);
        var journal = await OutputFolder.OpenJournalAsync(fileSystem.Root, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            var report = await CheckAllAsync(
                journal.ReadItemsAsync(ItemState.Done, withBackupOnly: false, cancellationToken),
                fileSystem,
                progress,
                item =>
                {
                    journal.Record(new ItemReopened(item.Id));
                    return Task.CompletedTask;
                },
                cancellationToken).ConfigureAwait(false);
            await journal.FlushAsync(cancellationToken).ConfigureAwait(false);
            var counts = await journal.ReadCountsAsync(cancellationToken).ConfigureAwait(false);
            return report with { Crawl = Enum.GetValues<ItemState>().Sum(counts.Pages) > 0 };
        }
    }

    /// <summary>
    /// Re-hashes the done files of the shared job <paramref name="job"/> that the worker folder
    /// <paramref name="outputDirectory"/> holds: those the journal records with this folder's key (this machine's name
    /// and the folder's full path, as the workers that downloaded into it recorded them). A file that fails is put back
    /// to pending in the shared journal, only while it is still done and held by this folder, so any worker fetches it
    /// again. The job is not joined, and nothing is created in the database.
    /// </summary>
    /// <param name="job">The shared job: its journal and name (its lease is not used).</param>
    /// <param name="outputDirectory">A folder a worker of the job downloaded into.</param>
    /// <param name="progress">Told the number of files checked so far; may be null.</param>
    /// <param name="cancellationToken">Stops the check; what was found so far is recorded.</param>
    /// <exception cref="OutputFolderException">
    /// The folder has a journal of its own, or holds no files of a shared job, or those of another job or database.
    /// </exception>
    /// <exception cref="JournalJobNotFoundException">The journal has no such job.</exception>
    /// <exception cref="JournalUnavailableException">The journal cannot be reached or opened, or holds no Haul tables.</exception>
    /// <exception cref="JournalWriteException">The journal failed during the check; what was recorded before is kept.</exception>
    public static async Task<VerifyReport> VerifyAsync(SharedJob job, string outputDirectory, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var fileSystem = new SafeFileSystem(outputDirectory);
        var journal = await SharedJournals.OpenToVerifyAsync(job, fileSystem.Root, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            try
            {
                return await VerifyHeldAsync(journal, fileSystem, SharedJournals.Holder(fileSystem.Root), progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                throw new JournalWriteException(
                    $"the journal {job.Describe()} failed: {SharedJournals.Describe(exception)}; run haul verify again", exception);
            }
        }
    }

    private static async Task<VerifyReport> VerifyHeldAsync(
        PostgresJobJournal journal, SafeFileSystem fileSystem, string holder, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var toReopen = new List<JournalItem>();
        try
        {
            var report = await CheckAllAsync(
                journal.ReadHeldItemsAsync(holder, cancellationToken),
                fileSystem,
                progress,
                async item =>
                {
                    toReopen.Add(item);
                    if (toReopen.Count >= ReopenBatch)
                    {
                        await journal.ReopenHeldAsync(toReopen, holder, cancellationToken).ConfigureAwait(false);
                        toReopen.Clear();
                    }
                },
                cancellationToken).ConfigureAwait(false);
            await journal.ReopenHeldAsync(toReopen, holder, cancellationToken).ConfigureAwait(false);
            return report;
        }
        catch (OperationCanceledException)
        {
            // Stopped: what was found so far is still put back to pending.
            await journal.ReopenHeldAsync(toReopen, holder, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Checks the files of <paramref name="items"/> (images, and the pages a crawl saved), giving each one that fails to
    /// <paramref name="reopen"/>; streamed, so a job of millions of files is verified in bounded memory.
    /// </summary>
    private static async Task<VerifyReport> CheckAllAsync(
        IAsyncEnumerable<JournalItem> items, SafeFileSystem fileSystem, IProgress<int>? progress, Func<JournalItem, Task> reopen, CancellationToken cancellationToken)
    {
        var problems = new List<VerifyProblem>();
        var checkedCount = 0;
        long bytes = 0;
        await foreach (var item in items.ConfigureAwait(false))
        {
            if (item.OutputPath is not { } outputPath || !DoneFileCheck.HasFile(item))
            {
                continue;
            }

            var problem = await CheckAsync(fileSystem, item, cancellationToken).ConfigureAwait(false);
            checkedCount++;
            progress?.Report(checkedCount);
            if (problem is null)
            {
                bytes += item.Bytes;
                continue;
            }

            problems.Add(new VerifyProblem(item.Url, outputPath, problem));
            await reopen(item).ConfigureAwait(false);
        }

        return new VerifyReport(checkedCount, checkedCount - problems.Count, bytes, problems);
    }

    private static async Task<string?> CheckAsync(SafeFileSystem fileSystem, JournalItem item, CancellationToken cancellationToken)
    {
        var path = OutputPathMapper.Resolve(fileSystem.Root, item.OutputPath!);
        try
        {
            fileSystem.CheckParentFolders(path);
            switch (SafeFileSystem.Inspect(path))
            {
                case EntryKind.None:
                    return "missing";
                case EntryKind.SymbolicLink:
                    return "a symbolic link is where the file belongs";
                case EntryKind.Directory:
                    return "a folder is where the file belongs";
                case EntryKind.Inaccessible:
                    return "cannot be looked at (a loop of links, or no permission)";
            }

            var length = new FileInfo(path).Length;
            if (length != item.Bytes)
            {
                return $"{length} bytes, {item.Bytes} expected";
            }

            var sha256 = await FilePlacer.HashAsync(path, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(sha256, item.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return "its SHA-256 differs from the one recorded when it was downloaded";
            }

            return item.ExpectedSha256 is not null && !string.Equals(sha256, item.ExpectedSha256, StringComparison.OrdinalIgnoreCase)
                ? "its SHA-256 differs from the one the input asks for"
                : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "unreadable: " + IoErrors.Describe(exception);
        }
    }
}

/// <summary>What <see cref="JobVerifier"/> found.</summary>
/// <param name="Checked">Done files checked.</param>
/// <param name="Intact">Files that matched their record.</param>
/// <param name="IntactBytes">Bytes of the intact files.</param>
/// <param name="Problems">Files that did not, now pending again.</param>
public sealed record VerifyReport(int Checked, int Intact, long IntactBytes, IReadOnlyList<VerifyProblem> Problems)
{
    /// <summary>Whether the folder's job is a crawl (resumed by its <c>haul crawl</c> command, not by <c>haul get</c>).</summary>
    public bool Crawl { get; init; }
}

/// <summary>A done file that failed verification.</summary>
/// <param name="Url">The item's URL.</param>
/// <param name="OutputPath">Its path relative to the output folder.</param>
/// <param name="Problem">What is wrong with it.</param>
public sealed record VerifyProblem(string Url, string OutputPath, string Problem);
