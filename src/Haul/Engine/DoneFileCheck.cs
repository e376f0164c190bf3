using Haul.Journal;
using Haul.Writing;
using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>
/// Whether a done item's file is still the one Haul wrote: a stat when its size and time match the journal's, a hash
/// when they do not. A file that went missing or changed is logged and fetched again.
/// </summary>
internal static class DoneFileCheck
{
    /// <summary>
    /// Whether a done item left a file Haul wrote and recorded (its size, SHA-256 and time): a file at its output path,
    /// or a page that <c>--save-pages</c> placed there. A page that was only read, or whose saving failed (its path
    /// claimed, no file placed), has none.
    /// </summary>
    internal static bool HasFile(JournalItem item) =>
        item.OutputPath is not null && (item.Kind == ItemKind.File || item.FileModified is not null);

    internal static async ValueTask<bool> IntactAsync(
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
                // The same file with a new time: only the time is news, the item's note (a page's "malformed HTML") stays.
                journal.Record(new ItemDone(item.Id, file.Length, sha256, file.LastWriteTimeUtc.Ticks, Note: item.Note));
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
}
