namespace Haul.Writing;

/// <summary>
/// Keeps Haul's state to the user who runs it: on Unix the state folder gets mode 0700 and the files in it that may
/// hold cookies or credentials (the journal and SQLite's <c>-wal</c> and <c>-shm</c> beside it) 0600, whatever the
/// umask; on Windows nothing changes (a folder under the user's profile is already the user's, and ACLs are the
/// administrator's business). The second platform-specific seam of the write boundary, after <see cref="NoFollowFile"/>.
/// </summary>
internal static class OwnerOnly
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Makes <paramref name="folder"/>, which must exist and not be a link, the owner's alone.</summary>
    public static void RestrictFolder(string folder) => Restrict(folder, FolderMode);

    /// <summary>Makes the file at <paramref name="path"/> readable and writable by its owner alone; nothing when it does not exist.</summary>
    public static void RestrictFile(string path) => Restrict(path, FileMode);

    private static void Restrict(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // chmod(2) follows a link: the callers have refused links here; a file gone since is nothing to restrict.
        try
        {
            if (SafeFileSystem.Inspect(path) is EntryKind.File or EntryKind.Directory && File.GetUnixFileMode(path) != mode)
            {
                File.SetUnixFileMode(path, mode);
            }
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException)
        {
            // Another user's folder (EPERM), or a file system without Unix modes: the mode is theirs to keep.
        }
    }
}
