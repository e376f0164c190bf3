using Haul.Journal;
using Haul.Writing;

namespace Haul.Engine;

/// <summary>
/// The output folder of a job: created and checked writable before anything else, its journal opened under the job's
/// lock, and its kind (a list or a crawl) and a crawl's options checked against the command.
/// </summary>
internal static class OutputFolder
{
    /// <summary>Creates the output folder and Haul's state folder in it, refusing links where Haul's own folders belong.</summary>
    internal static SafeFileSystem Prepare(string outputDirectory)
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
            var reason = exception is UnsafePathException ? exception.Message
                : FileOnTheWay(outputDirectory) is { } file ? $"'{file}' is a file, not a folder"
                : IoErrors.Describe(exception);
            throw new OutputFolderException($"cannot write to the output folder '{outputDirectory}': {reason}", exception);
        }
    }

    /// <summary>The deepest existing entry of <paramref name="outputDirectory"/>'s path when it is not a folder (nor a link to one); else null.</summary>
    private static string? FileOnTheWay(string outputDirectory)
    {
        for (var entry = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDirectory)); entry is not null; entry = Path.GetDirectoryName(entry))
        {
            if (Path.Exists(entry))
            {
                return Directory.Exists(entry) ? null : entry;
            }
        }

        return null;
    }

    /// <summary>The outermost folder of <paramref name="outputDirectory"/>'s path that does not exist yet; null when it exists.</summary>
    internal static string? FirstMissing(string outputDirectory)
    {
        string? missing = null;
        for (var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDirectory)); folder is not null && !Path.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            missing = folder;
        }

        return missing;
    }

    /// <summary>Haul's parts folder in <paramref name="outputDirectory"/>, the deepest folder <see cref="Prepare"/> makes.</summary>
    internal static string PartsFolder(string outputDirectory) => Path.Combine(outputDirectory, SqliteJobJournal.StateFolderName, "parts");

    /// <summary>
    /// Removes the folders <see cref="Prepare"/> made, from <paramref name="deepest"/> out to <paramref name="madeFolder"/>,
    /// the outermost of them (<see cref="FirstMissing"/> before <see cref="Prepare"/>), as long as each is empty. A folder
    /// that was there before is never touched: another process may be working in it.
    /// </summary>
    internal static void RemoveMade(string deepest, string madeFolder)
    {
        if (SafeFileSystem.Inspect(Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(deepest))!, "shared-job")) != EntryKind.None)
        {
            // Another worker marked the folder as its job's meanwhile: it works in it now.
            return;
        }

        for (var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(deepest)); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            try
            {
                // Not recursive, and never through a link: an empty folder goes, anything else stays with its parents.
                if (SafeFileSystem.Inspect(folder) != EntryKind.Directory)
                {
                    return;
                }

                Directory.Delete(folder);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return;
            }

            if (folder == madeFolder)
            {
                return;
            }
        }
    }

    /// <summary>Opens the job's journal under its lock; an unsafe state folder or a full disk is said in one line.</summary>
    internal static async Task<SqliteJobJournal> OpenJournalAsync(string root, TimeProvider time, CancellationToken cancellationToken)
    {
        if (SharedJournals.ReadMarker(root) is { } shared)
        {
            throw new OutputFolderException(
                $"'{root}' holds files of the shared job '{shared}'; run haul worker --journal … --job {shared} to go on with it, or give this job a folder of its own");
        }

        try
        {
            return await SqliteJobJournal.OpenAsync(root, time, cancellationToken).ConfigureAwait(false);
        }
        catch (UnsafePathException exception)
        {
            throw new OutputFolderException($"cannot use the output folder '{root}': {exception.Message}", exception);
        }
        catch (JournalLockedException exception) when (exception.InnerException is { } inner && DiskFullErrors.IsDiskFull(inner))
        {
            throw DiskFullErrors.ToException(SqliteJobJournal.DatabasePath(root), exception);
        }
    }

    /// <summary>
    /// One output folder is one job: a crawl's folder is resumed by <c>haul crawl</c>, a list's by <c>haul get</c>, and
    /// neither takes the other's (their items, reports and reruns would mix). An empty journal takes either.
    /// </summary>
    internal static async Task CheckJobKindAsync(IJobJournal journal, string root, bool crawling, CancellationToken cancellationToken)
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

    /// <summary>
    /// A folder's crawl keeps the options of its first run (<see cref="CrawlDefinition"/>), as a shared crawl keeps its
    /// job's: a rerun with other ones (another layout, scope, depth or filter) would mix two crawls in one folder, and is
    /// refused in one line naming them, before anything is changed. <c>--max-pages</c> is not kept: a rerun may raise it.
    /// </summary>
    /// <exception cref="JobMismatchException">The folder's crawl has other options.</exception>
    internal static async Task CheckCrawlOptionsAsync(SqliteJobJournal journal, string root, CrawlOptions options, CancellationToken cancellationToken)
    {
        var given = CrawlDefinition.Write(options with { MaxPages = null });
        var kept = await journal.DefineCrawlAsync(given, cancellationToken).ConfigureAwait(false);
        if (CrawlDefinition.Differences(kept, given) is { Count: > 0 } differences)
        {
            throw new JobMismatchException(
                $"'{root}' holds a crawl with other options: {string.Join(", ", differences)}; give its options to resume it, or crawl into another output folder");
        }
    }
}
