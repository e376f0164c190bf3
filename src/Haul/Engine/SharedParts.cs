using System.Globalization;
using Haul.Journal;

namespace Haul.Engine;

/// <summary>
/// Part files in a journal that many workers share, whose folder may be shared too: each claim of an item writes its own
/// (<c>ID-TOKEN.part</c>, the claim's fencing token), so that a worker stopped past its lease and resumed writes,
/// truncates or deletes only its own, never the part of the worker that took its item over. The claim that takes an
/// item over starts from the longest part an earlier claim left, copied (its writer may still hold it open), and the
/// earlier ones are removed; a resume then goes on from those bytes, checked by the validators as always.
/// </summary>
internal static class SharedParts
{
    /// <summary>
    /// The part file of <paramref name="itemId"/> under the claim <paramref name="token"/>, carrying on an earlier claim's.
    /// Only an item an earlier claim worked on (<paramref name="earlierClaims"/>: attempts or validators recorded) can have
    /// one; for the others the folder is not searched, which would cost a directory scan a file.
    /// </summary>
    public static string Prepare(string partsFolder, long itemId, long token, bool earlierClaims)
    {
        var prefix = itemId.ToString(CultureInfo.InvariantCulture) + "-";
        var own = Path.Combine(partsFolder, prefix + token.ToString(CultureInfo.InvariantCulture) + ".part");
        if (!earlierClaims || File.Exists(own))
        {
            return own;
        }

        try
        {
            var earlier = new DirectoryInfo(partsFolder).EnumerateFiles(prefix + "*.part")
                .Where(f => f.FullName != own && (f.Attributes & FileAttributes.ReparsePoint) == 0)
                .OrderByDescending(f => f.Length)
                .ToList();
            if (earlier.Count > 0 && earlier[0].Length > 0)
            {
                File.Copy(earlier[0].FullName, own);
            }

            foreach (var file in earlier)
            {
                file.Delete();
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // What cannot be carried on is fetched from the start: the part is only ever a head start.
        }

        return own;
    }

    /// <summary>
    /// Deletes the part files in <paramref name="partsFolder"/> of items the job has done or skipped, by any worker: a claim
    /// lost past its lease, or given back when its worker stopped, leaves one, which the claim that finished the item
    /// did not use. Parts of unfinished items stay, for the claim that takes them next. Returns how many went.
    /// </summary>
    public static async Task<int> RemoveFinishedAsync(string partsFolder, ISharedJobJournal journal, CancellationToken cancellationToken)
    {
        var parts = new List<(long Item, FileInfo File)>();
        try
        {
            foreach (var file in new DirectoryInfo(partsFolder).EnumerateFiles("*-*.part"))
            {
                var name = file.Name;
                if ((file.Attributes & FileAttributes.ReparsePoint) == 0
                    && long.TryParse(name.AsSpan(0, name.IndexOf('-')), NumberStyles.None, CultureInfo.InvariantCulture, out var item))
                {
                    parts.Add((item, file));
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        var removed = 0;
        foreach (var chunk in parts.Chunk(1000))
        {
            var finished = await journal.ReadFinishedAsync([.. chunk.Select(p => p.Item).Distinct()], cancellationToken).ConfigureAwait(false);
            foreach (var (item, file) in chunk.Where(p => finished.Contains(p.Item)))
            {
                try
                {
                    file.Delete();
                    removed++;
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // Left for the next worker's end.
                }
            }
        }

        return removed;
    }
}
