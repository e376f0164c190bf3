using Haul.Journal;
using Haul.Writing;

namespace Haul.Cli.Commands;

/// <summary>
/// The output folder of <c>haul demo</c>. The demo marks a folder as its own (<c>.haul/demo</c>, naming the servers it
/// downloads from and, once its job ended, the reports it wrote) and clears a folder it marked only when everything in it is the demo's own (see
/// <see cref="DemoContents"/>), under the journal lock like any job; anything else is refused untouched.
/// </summary>
internal static class DemoFolder
{
    private const string LockName = "lock";

    /// <summary>
    /// Makes <paramref name="folder"/> an empty demo folder; returns why it cannot (nothing deleted then), or null.
    /// </summary>
    public static async Task<string?> PrepareAsync(string folder, CancellationToken cancellationToken)
    {
        try
        {
            return await PrepareOrThrowAsync(folder, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"cannot prepare the demo folder '{folder}': {exception.Message}";
        }
    }

    /// <summary>
    /// Names in the folder's marker the servers the demo downloads from: the only URLs its journal may hold. Returns why
    /// it cannot (a link planted at <c>.haul</c> or at the marker since the folder was prepared), or null.
    /// </summary>
    public static string? RecordServers(string folder, IEnumerable<Uri> servers)
    {
        try
        {
            DemoMarker.Write(Path.Combine(Path.GetFullPath(folder), SqliteJobJournal.StateFolderName), servers);
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"cannot mark the demo folder '{folder}': {exception.Message}";
        }
    }

    /// <summary>
    /// Names in the folder's marker the reports the demo's job wrote at its top, with their SHA-256: the only reports a
    /// later demo deletes. Returns why it cannot (the marker is gone or a link since), or null.
    /// </summary>
    public static async Task<string?> RecordReportsAsync(string folder, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(folder);
        var stateFolder = Path.Combine(root, SqliteJobJournal.StateFolderName);
        try
        {
            if (!DemoMarker.IsMarked(stateFolder))
            {
                return $"cannot mark the demo folder '{folder}': its marker {Path.Combine(SqliteJobJournal.StateFolderName, DemoMarker.Name)} is gone or not a file";
            }

            var reports = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in DemoContents.Reports.Order(StringComparer.Ordinal))
            {
                var path = Path.Combine(root, name);
                if (SafeFileSystem.Inspect(path) == EntryKind.File)
                {
                    reports[name] = await FilePlacer.HashAsync(path, cancellationToken);
                }
            }

            DemoMarker.Write(stateFolder, DemoMarker.ReadServers(stateFolder), reports);
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"cannot mark the demo folder '{folder}': {exception.Message}";
        }
    }

    private static async Task<string?> PrepareOrThrowAsync(string folder, CancellationToken cancellationToken)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var top = new DirectoryInfo(root);
        if (top.LinkTarget is not null)
        {
            return $"'{folder}' is a symbolic link; haul demo only replaces a real folder of its own: choose another with --output";
        }

        if (File.Exists(root))
        {
            return $"'{folder}' is a file, not a folder; choose another with --output";
        }

        var stateFolder = Path.Combine(root, SqliteJobJournal.StateFolderName);
        if (!top.Exists || !top.EnumerateFileSystemInfos().Any())
        {
            Directory.CreateDirectory(root);
            DemoMarker.Write(stateFolder, []);
            return null;
        }

        if (!DemoMarker.IsMarked(stateFolder))
        {
            var what = File.Exists(SqliteJobJournal.DatabasePath(root)) ? "holds a haul job" : "is not empty";
            return $"'{folder}' {what} and is not a demo's folder; haul demo deletes only its own folders: choose another with --output";
        }

        FileStream journalLock;
        try
        {
            // The same lock every job takes (see SqliteJobJournal.OpenAsync): a demo or job running here keeps it.
            journalLock = new FileStream(Path.Combine(stateFolder, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return $"'{folder}' is in use: another haul holds its journal lock; nothing was deleted";
        }

        using (journalLock)
        {
            // Marked, but something may have been put here since: a file of the user's, a file of the demo's changed, or a
            // 'haul get' run in the demo's folder. Refused, untouched.
            if (await DemoContents.FindForeignAsync(folder, root, cancellationToken) is { } foreign)
            {
                return foreign;
            }

            foreach (var entry in top.EnumerateFileSystemInfos())
            {
                if (entry.Name == SqliteJobJournal.StateFolderName && entry.LinkTarget is null)
                {
                    foreach (var state in ((DirectoryInfo)entry).EnumerateFileSystemInfos().Where(e => e.Name != LockName))
                    {
                        Delete(state);
                    }
                }
                else
                {
                    Delete(entry);
                }
            }

            DemoMarker.Write(stateFolder, []);
        }

        return null;
    }

    /// <summary>Deletes an entry without following links: a link is removed as a link, its target untouched.</summary>
    private static void Delete(FileSystemInfo entry)
    {
        if (entry is DirectoryInfo directory && entry.LinkTarget is null)
        {
            foreach (var child in directory.EnumerateFileSystemInfos())
            {
                Delete(child);
            }

            directory.Delete();
        }
        else if (entry is DirectoryInfo link)
        {
            Directory.Delete(link.FullName);
        }
        else
        {
            entry.Delete();
        }
    }
}
