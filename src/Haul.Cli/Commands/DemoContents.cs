using Haul.Input;
using Haul.Journal;
using Haul.Writing;
using Microsoft.Data.Sqlite;

namespace Haul.Cli.Commands;

/// <summary>
/// Whether everything in a marked demo folder is the demo's own: every item of its journal is a URL of the servers the
/// marker names and was named by the demo's run (the journal's first), and every file outside <c>.haul/</c> is a
/// report at the top or the file of an item with the size and SHA-256 the journal recorded: a done item's, or one
/// staged before it was placed (a demo stopped between placing a file and recording it done). <c>.haul/</c> holds only
/// what a demo's job makes, and a report at the top is one the marker names with its SHA-256. Anything else is someone
/// else's, and the demo deletes nothing.
/// </summary>
internal static class DemoContents
{
    /// <summary>
    /// Whether the file at <paramref name="path"/> is there and holds the bytes of <paramref name="sha256"/>, read as
    /// every check of a done file reads (<see cref="FilePlacer.HashAsync"/>: never through a link).
    /// </summary>
    internal static async Task<bool> HoldsAsync(string path, string sha256, CancellationToken cancellationToken)
    {
        try
        {
            return string.Equals(await FilePlacer.HashAsync(path, cancellationToken), sha256, StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Missing, a link or a folder in its place, unreadable: not the file the server served.
            return false;
        }
    }

    /// <summary>The reports a job writes at the top of its folder.</summary>
    internal static readonly HashSet<string> Reports = new(StringComparer.Ordinal)
    {
        Reporting.ReportWriter.ReportFileName, Reporting.ReportWriter.FailedFileName, Reporting.ImageListWriter.FileName,
    };

    /// <summary>The files a demo's job makes in <c>.haul/</c>, besides its <c>parts</c> folder.</summary>
    private static readonly HashSet<string> StateFiles = new(StringComparer.Ordinal)
    {
        DemoMarker.Name, "lock", "journal.db", "journal.db-wal", "journal.db-shm",
    };

    private const string PartsFolderName = "parts";

    /// <summary>Why the folder holds something the demo did not write (named for <paramref name="folder"/>), or null.</summary>
    public static async Task<string?> FindForeignAsync(string folder, string root, CancellationToken cancellationToken)
    {
        var stateFolder = Path.Combine(root, SqliteJobJournal.StateFolderName);
        var ownFiles = new Dictionary<string, (long Bytes, string Sha256)>(StringComparer.Ordinal);
        if (File.Exists(SqliteJobJournal.DatabasePath(root)))
        {
            var servers = DemoMarker.ReadServers(stateFolder);
            try
            {
                if (ReadOwnFiles(root, servers, ownFiles) is { } why)
                {
                    return $"'{folder}' was a demo's folder but {why}; nothing was deleted: choose another folder with --output";
                }
            }
            catch (SqliteException exception)
            {
                return $"'{folder}' was a demo's folder but its journal cannot be read ({exception.Message}); nothing was deleted: choose another folder with --output";
            }
        }

        foreach (var entry in new DirectoryInfo(stateFolder).EnumerateFileSystemInfos())
        {
            var own = entry.LinkTarget is null
                && (entry is DirectoryInfo ? entry.Name == PartsFolderName : entry is FileInfo && StateFiles.Contains(entry.Name));
            if (!own)
            {
                return $"'{folder}' was a demo's folder but now holds '{Path.Combine(SqliteJobJournal.StateFolderName, entry.Name)}', which the demo did not write; nothing was deleted: move it, or choose another folder with --output";
            }
        }

        var reports = DemoMarker.ReadReports(stateFolder);
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is null && entry is FileInfo && Reports.Contains(entry.Name))
            {
                if (!reports.TryGetValue(entry.Name, out var sha256)
                    || !string.Equals(await FilePlacer.HashAsync(entry.FullName, cancellationToken), sha256, StringComparison.OrdinalIgnoreCase))
                {
                    return $"'{folder}' was a demo's folder but its '{entry.Name}' is not the one the demo wrote; nothing was deleted: move it, or choose another folder with --output";
                }

                continue;
            }

            var own = entry.LinkTarget is null && entry is DirectoryInfo && entry.Name == SqliteJobJournal.StateFolderName;
            if (!own && await FindForeignFileAsync(root, entry, ownFiles, cancellationToken) is { } foreign)
            {
                return foreign.Changed
                    ? $"'{folder}' was a demo's folder but '{foreign.Path}' changed since the demo wrote it; nothing was deleted: move it, or choose another folder with --output"
                    : $"'{folder}' was a demo's folder but now holds '{foreign.Path}', which the demo did not write; nothing was deleted: move it, or choose another folder with --output";
            }
        }

        return null;
    }

    /// <summary>
    /// Fills <paramref name="ownFiles"/> with the files of the demo's items, done or staged (the journal records a file's
    /// size and SHA-256 before it is placed), by path relative to the folder; returns
    /// why the journal is not the demo's alone (an item of another server's, or named by a later run), or null.
    /// </summary>
    private static string? ReadOwnFiles(string root, IReadOnlySet<string> servers, Dictionary<string, (long Bytes, string Sha256)> ownFiles)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = SqliteJobJournal.DatabasePath(root),
            // Read-write, under the journal lock: on close SQLite then removes the -wal and -shm files it makes, as a job's
            // own close does, and the folder is left as it was found.
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        using (var tables = connection.CreateCommand())
        {
            tables.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('items', 'runs');";
            if (Convert.ToInt64(tables.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) < 2)
            {
                // No schema yet: a demo stopped at its very start. No item, so no file is the demo's.
                return null;
            }
        }

        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT url, output_path, bytes, sha256, seen_run > (SELECT coalesce(MIN(id), 0) FROM runs) FROM items;
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var url = reader.GetString(0);
            if (reader.GetBoolean(4) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || !servers.Contains(DemoMarker.Origin(uri)))
            {
                return $"its journal now holds '{UrlRules.Redact(url)}', which the demo's own run did not add";
            }

            if (!reader.IsDBNull(1) && !reader.IsDBNull(3))
            {
                ownFiles[reader.GetString(1)] = (reader.GetInt64(2), reader.GetString(3));
            }
        }

        return null;
    }

    /// <summary>The first file or link under <paramref name="entry"/> that is not a done or staged file of the demo, or null.</summary>
    private static async Task<(string Path, bool Changed)?> FindForeignFileAsync(
        string root, FileSystemInfo entry, Dictionary<string, (long Bytes, string Sha256)> ownFiles, CancellationToken cancellationToken)
    {
        var relative = Path.GetRelativePath(root, entry.FullName);
        if (entry.LinkTarget is not null)
        {
            return (relative, false);
        }

        if (entry is DirectoryInfo directory)
        {
            foreach (var child in directory.EnumerateFileSystemInfos())
            {
                if (await FindForeignFileAsync(root, child, ownFiles, cancellationToken) is { } foreign)
                {
                    return foreign;
                }
            }

            return null;
        }

        if (entry is not FileInfo file || !ownFiles.TryGetValue(relative.Replace(Path.DirectorySeparatorChar, '/'), out var recorded))
        {
            return (relative, false);
        }

        if (file.Length != recorded.Bytes)
        {
            return (relative, true);
        }

        var sha256 = await FilePlacer.HashAsync(file.FullName, cancellationToken);
        return string.Equals(sha256, recorded.Sha256, StringComparison.OrdinalIgnoreCase) ? null : (relative, true);
    }
}
