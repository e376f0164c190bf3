using Haul.Journal;

namespace Haul.Cli.Commands;

/// <summary>
/// The output folder of <c>haul demo</c>. The demo marks a folder as its own (<c>.haul/demo</c>) and clears only a
/// folder it marked, under the journal lock like any job; anything else that is not empty is refused untouched.
/// </summary>
internal static class DemoFolder
{
    /// <summary>The marker file inside <c>.haul/</c> that says a demo made this folder.</summary>
    public const string MarkerName = "demo";

    private const string LockName = "lock";

    /// <summary>
    /// Makes <paramref name="folder"/> an empty demo folder; returns why it cannot (nothing deleted then), or null.
    /// </summary>
    public static string? Prepare(string folder)
    {
        try
        {
            return PrepareOrThrow(folder);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"cannot prepare the demo folder '{folder}': {exception.Message}";
        }
    }

    private static string? PrepareOrThrow(string folder)
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
            Directory.CreateDirectory(stateFolder);
            WriteMarker(stateFolder);
            return null;
        }

        if (!IsMarked(stateFolder))
        {
            var what = File.Exists(SqliteJobJournal.DatabasePath(root)) ? "holds a haul job" : "is not empty";
            return $"'{folder}' {what} and is not a demo's folder; haul demo deletes only its own folders: choose another with --output";
        }

        // Marked, but something was put here since that no demo makes: a file of the user's, or a 'haul get' job run
        // in the demo's folder. Refused, untouched.
        if (top.EnumerateFileSystemInfos().FirstOrDefault(e => !IsDemoEntry(e.Name)) is { } foreign)
        {
            return $"'{folder}' was a demo's folder but now holds '{foreign.Name}', which no demo makes; nothing was deleted: move it, or choose another folder with --output";
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
            if (File.Exists(SqliteJobJournal.DatabasePath(root)) && HoldsForeignItems(root))
            {
                return $"'{folder}' was a demo's folder but its journal now holds downloads of other hosts; nothing was deleted: choose another folder with --output";
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

            WriteMarker(stateFolder);
        }

        return null;
    }

    /// <summary>What a demo leaves at the top of its folder: Haul's own files and the loopback server's host folder.</summary>
    private static bool IsDemoEntry(string name) =>
        name is SqliteJobJournal.StateFolderName or Reporting.ReportWriter.ReportFileName or Reporting.ReportWriter.FailedFileName
            or Reporting.ImageListWriter.FileName
        || name.StartsWith("127.0.0.1_", StringComparison.Ordinal);

    /// <summary>Whether the journal names a URL that is not the demo server's, on 127.0.0.1.</summary>
    private static bool HoldsForeignItems(string root)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = SqliteJobJournal.DatabasePath(root),
            Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM items WHERE url NOT LIKE 'http://127.0.0.1:%');";
        try
        {
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // No table yet: a demo killed at its very start.
            return false;
        }
    }

    /// <summary>A marker counts only as a regular file in a real <c>.haul</c> folder, never through a link.</summary>
    private static bool IsMarked(string stateFolder)
    {
        var state = new DirectoryInfo(stateFolder);
        var marker = new FileInfo(Path.Combine(stateFolder, MarkerName));
        return state.Exists && state.LinkTarget is null && marker.Exists && marker.LinkTarget is null;
    }

    private static void WriteMarker(string stateFolder) =>
        File.WriteAllText(Path.Combine(stateFolder, MarkerName), "This folder was made by 'haul demo', which replaces it on every run.\n");

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
