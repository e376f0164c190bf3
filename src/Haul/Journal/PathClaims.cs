using System.Globalization;
using Haul.Writing;

namespace Haul.Journal;

/// <summary>
/// The output paths a job has handed out, and the rule that makes each new one unique with deterministic suffixes: a
/// path never names a file where another item has a file or a folder, and never runs through another item's file.
/// Comparison ignores case, so that a job gives the same names on every file system.
/// </summary>
internal sealed class PathClaims
{
    private readonly HashSet<string> _files = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _folders = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records a path already handed out.</summary>
    public void Add(string path)
    {
        _files.Add(path);
        _folders.UnionWith(FoldersOf(path));
    }

    /// <summary>Claims <paramref name="path"/>, or a suffixed variant of it derived from <paramref name="url"/>.</summary>
    public string Claim(string path, string url)
    {
        while (FoldersOf(path).FirstOrDefault(_files.Contains) is { } blocked)
        {
            // Another item's file sits where this path needs a folder: this path's folder gets the suffix.
            path = Unique(blocked, url, candidate => !_files.Contains(candidate)) + path[blocked.Length..];
        }

        path = Unique(path, url, candidate => !_files.Contains(candidate) && !_folders.Contains(candidate));
        Add(path);
        return path;
    }

    private static string Unique(string path, string url, Func<string, bool> isFree)
    {
        if (isFree(path))
        {
            return path;
        }

        path = OutputPathMapper.AddSuffix(path, "~" + OutputPathMapper.ShortHash(url));
        for (var n = 2; !isFree(path); n++)
        {
            path = OutputPathMapper.AddSuffix(path, "~" + n.ToString(CultureInfo.InvariantCulture));
        }

        return path;
    }

    /// <summary>The folders a relative path runs through, outermost first: <c>a/b/c.jpg</c> gives <c>a</c>, <c>a/b</c>.</summary>
    private static IEnumerable<string> FoldersOf(string path)
    {
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            yield return path[..slash];
        }
    }
}
