using System.Globalization;
using System.Security.Cryptography;

namespace Haul.Writing;

/// <summary>
/// Moves a verified partial file to its final path, the last step of the write boundary: the folders on the way are
/// checked (<see cref="SafeFileSystem"/>), a link or folder at the final path fails the item, and a different file
/// found there is kept under a numbered backup name or replaced, as <see cref="ExistingFilePolicy"/> says. The move is
/// a rename within the output folder, which replaces a name and never writes through a link.
/// </summary>
internal sealed class FilePlacer
{
    private readonly SafeFileSystem _fileSystem;
    private readonly ExistingFilePolicy _policy;

    public FilePlacer(SafeFileSystem fileSystem, ExistingFilePolicy policy)
    {
        _fileSystem = fileSystem;
        _policy = policy;
    }

    /// <summary>Places the file; returns where a different earlier file was kept (relative to the output folder), or null.</summary>
    /// <exception cref="UnsafePathException">A folder on the way, or the final path, is a link or the wrong kind of entry.</exception>
    /// <exception cref="IOException">The file system refused.</exception>
    public async Task<Placement> PlaceAsync(string partPath, string finalPath, string sha256, CancellationToken cancellationToken)
    {
        _fileSystem.CreateParentFolders(finalPath);
        string? backup = null;
        switch (SafeFileSystem.Inspect(finalPath))
        {
            case (EntryKind.SymbolicLink or EntryKind.Directory or EntryKind.Inaccessible) and var refused:
                throw UnsafePathException.Found(_fileSystem.Relative(finalPath), refused);
            case EntryKind.File when _policy == ExistingFilePolicy.Overwrite:
                // Replaced, but only if it is a regular file: a FIFO or a device is not Haul's to replace.
                NoFollowFile.Open(finalPath, NoFollowFile.Mode.Read).Dispose();
                break;
            case EntryKind.File when _policy != ExistingFilePolicy.Overwrite:
                var existing = await HashAsync(finalPath, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(existing, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    backup = NextBackupName(finalPath);
                    File.Move(finalPath, backup, overwrite: false);
                }

                break;
        }

        File.Move(partPath, finalPath, overwrite: true);
        return new Placement(backup is null ? null : _fileSystem.Relative(backup), ModifiedTicks(finalPath));
    }

    /// <summary>The SHA-256 of a regular file, read without following a link and without blocking on a FIFO.</summary>
    public static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        var stream = NoFollowFile.Open(path, NoFollowFile.Mode.Read);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>The modification time Haul records for a done file, in UTC ticks.</summary>
    public static long ModifiedTicks(string path) => File.GetLastWriteTimeUtc(path).Ticks;

    private static string NextBackupName(string path)
    {
        for (var n = 1; ; n++)
        {
            var candidate = string.Create(CultureInfo.InvariantCulture, $"{path}.~{n}~");
            if (SafeFileSystem.Inspect(candidate) == EntryKind.None)
            {
                return candidate;
            }
        }
    }
}

/// <summary>Where a placed file's predecessor went, and the placed file's modification time.</summary>
/// <param name="BackupPath">The backup of a different earlier file, relative to the output folder; null when none was needed.</param>
/// <param name="FileModified">The placed file's modification time, UTC ticks.</param>
internal sealed record Placement(string? BackupPath, long FileModified);
