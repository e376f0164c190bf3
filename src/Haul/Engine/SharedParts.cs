using System.Globalization;

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
}
