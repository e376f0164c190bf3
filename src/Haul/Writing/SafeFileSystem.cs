namespace Haul.Writing;

/// <summary>
/// The write boundary: every folder and file Haul creates under the output folder goes through here. No folder is
/// followed if it is a symbolic link or not a folder, checked as it is created or entered; files are opened without
/// following a link at their last component and without blocking on a FIFO (<see cref="NoFollowFile"/>), and must be
/// regular files. The output folder itself is the user's choice and may be a link.
/// </summary>
internal sealed class SafeFileSystem
{
    /// <summary>How much of a path too long for the file system is shown.</summary>
    private const int ShownPathLength = 120;

    private readonly string _root;
    private readonly string _rootPrefix;

    public SafeFileSystem(string root)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        // A file system's root keeps its separator ("/", "C:\\"): it is its own prefix.
        _rootPrefix = Path.EndsInDirectorySeparator(_root) ? _root : _root + Path.DirectorySeparatorChar;
    }

    /// <summary>The output folder, as a full path.</summary>
    public string Root => _root;

    /// <summary>What <paramref name="path"/> names, without following a link at its end.</summary>
    public static EntryKind Inspect(string path)
    {
        FileAttributes attributes;
        try
        {
            // The same lstat as File.GetAttributes, but a missing path (ENOENT, ENOTDIR) reads as -1 instead of throwing:
            // every file placed meets one or two, and an exception each cost more than the system call.
            attributes = new FileInfo(path).Attributes;
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return EntryKind.None;
        }
        catch (PathTooLongException)
        {
            // ENAMETOOLONG: nothing is in the way, the file system cannot hold the name. Said as such, the path cut short.
            throw TooLong(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A loop of links (ELOOP), a folder we may not enter (EACCES): nothing Haul may write through.
            return EntryKind.Inaccessible;
        }

        if ((int)attributes == -1)
        {
            return EntryKind.None;
        }

        if ((attributes & FileAttributes.ReparsePoint) != 0)
        {
            return EntryKind.SymbolicLink;
        }

        return (attributes & FileAttributes.Directory) != 0 ? EntryKind.Directory : EntryKind.File;
    }

    /// <summary>
    /// Creates the folder that holds <paramref name="fullPath"/> and every folder between it and the output folder,
    /// one level at a time, refusing any level that is a link or not a folder.
    /// </summary>
    /// <exception cref="UnsafePathException">A level is a symbolic link or a file.</exception>
    public void CreateParentFolders(string fullPath) => CreateFolder(Path.GetDirectoryName(fullPath)!);

    /// <summary>Creates <paramref name="folder"/> (a full path under the output folder) and the folders above it, safely.</summary>
    /// <exception cref="UnsafePathException">A level is a symbolic link or a file.</exception>
    public void CreateFolder(string folder)
    {
        // Outermost first, so that nothing is created under a level that has not been checked.
        foreach (var level in Levels(folder))
        {
            EnterFolder(level);
        }
    }

    /// <summary>
    /// Checks the folders that already exist between the output folder and <paramref name="fullPath"/>, creating
    /// nothing: a link or a file on the way is found before any byte is fetched for the path.
    /// </summary>
    /// <exception cref="UnsafePathException">A level is a symbolic link or a file.</exception>
    public void CheckParentFolders(string fullPath)
    {
        foreach (var level in Levels(Path.GetDirectoryName(fullPath)!))
        {
            switch (Inspect(level))
            {
                case EntryKind.None:
                    return;
                case EntryKind.Directory:
                    break;
                case var kind:
                    throw Refused(level, kind);
            }
        }
    }

    /// <summary>The folders from the output folder (excluded) down to <paramref name="folder"/> (included), outermost first.</summary>
    /// <exception cref="UnsafePathException"><paramref name="folder"/> is outside the output folder.</exception>
    private IEnumerable<string> Levels(string folder)
    {
        folder = Path.TrimEndingDirectorySeparator(folder);
        if (folder.Length <= _root.Length)
        {
            yield break;
        }

        if (!folder.StartsWith(_rootPrefix, StringComparison.Ordinal))
        {
            throw new UnsafePathException($"'{folder}' is outside the output folder");
        }

        for (var end = folder.IndexOf(Path.DirectorySeparatorChar, _rootPrefix.Length); end >= 0; end = folder.IndexOf(Path.DirectorySeparatorChar, end + 1))
        {
            yield return folder[..end];
        }

        yield return folder;
    }

    /// <summary>The path relative to the output folder, for messages.</summary>
    public string Relative(string fullPath) =>
        fullPath.StartsWith(_rootPrefix, StringComparison.Ordinal) ? fullPath[_rootPrefix.Length..].Replace('\\', '/') : fullPath;

    /// <summary>
    /// Checks, or creates then checks, one level. Every placement checks every level again, so a folder swapped for a
    /// link after an earlier check is still refused (a swap between this check and the rename remains possible).
    /// </summary>
    private void EnterFolder(string level)
    {
        var kind = Inspect(level);
        if (kind == EntryKind.None)
        {
            try
            {
                // The parent was checked a moment ago, so this creates exactly one level.
                Directory.CreateDirectory(level);
            }
            catch (IOException) when (Inspect(level) != EntryKind.None)
            {
                // Another worker created it (or something else appeared); looked at below.
            }

            kind = Inspect(level);
        }

        if (kind != EntryKind.Directory)
        {
            throw Refused(level, kind);
        }
    }

    /// <summary>The one wording of a path the file system cannot hold: its length, and its start, cut short.</summary>
    internal static PathTooLongException TooLong(string path) => new(string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"the path is longer than the file system allows ({System.Text.Encoding.UTF8.GetByteCount(path)} bytes): '{Text.PrintableText.Of(path, ShownPathLength)}'"));

    private UnsafePathException Refused(string level, EntryKind kind) =>
        kind == EntryKind.None ? new UnsafePathException($"'{Relative(level)}' could not be created") : UnsafePathException.Found(Relative(level), kind);
}
