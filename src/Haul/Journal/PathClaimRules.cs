using System.Globalization;
using Haul.Writing;

namespace Haul.Journal;

/// <summary>
/// How an output path is claimed, whatever database holds the claims: a new path is made unique with deterministic
/// suffixes, never names a file where another item has a file or a folder, and never runs through another item's
/// file. Keys ignore case (<see cref="SqliteSchema.PathKey"/>), so that a job gives the same names on every file
/// system. A database's claims say which keys are files and folders, and record new folders.
/// </summary>
internal abstract class PathClaimRules
{
    /// <summary>The folders a relative path runs through, outermost first: <c>a/b/c.jpg</c> gives <c>a</c>, <c>a/b</c>.</summary>
    public static IEnumerable<string> FoldersOf(string path)
    {
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            yield return path[..slash];
        }
    }

    /// <summary>
    /// Claims <paramref name="path"/>, or a suffixed variant of it derived from <paramref name="url"/>, and records its
    /// folders; the caller inserts the item with the returned path (and so its file key) in the same transaction.
    /// </summary>
    public async Task<string> ClaimAsync(string path, string url, CancellationToken cancellationToken)
    {
        await PrepareAsync(cancellationToken).ConfigureAwait(false);
        foreach (var folder in FoldersOf(path).ToList())
        {
            if (!await IsFileAsync(SqliteSchema.PathKey(folder), cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            // Another item's file sits where this path needs a folder: this path's folder gets the suffix.
            var free = await UniqueAsync(folder, url, async c => !await IsFileAsync(SqliteSchema.PathKey(c), cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            return await ClaimAsync(free + path[folder.Length..], url, cancellationToken).ConfigureAwait(false);
        }

        path = await UniqueAsync(path, url, async c =>
        {
            var key = SqliteSchema.PathKey(c);
            return !await IsFolderAsync(key, cancellationToken).ConfigureAwait(false) && !await IsFileAsync(key, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        foreach (var folder in FoldersOf(path))
        {
            await AddFolderAsync(SqliteSchema.PathKey(folder), cancellationToken).ConfigureAwait(false);
        }

        await FileClaimedAsync(SqliteSchema.PathKey(path), cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>Called before each claim (e.g. to load what is cached).</summary>
    protected virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Whether an item's file has this key.</summary>
    protected abstract Task<bool> IsFileAsync(string key, CancellationToken cancellationToken);

    /// <summary>Whether an item's path runs through a folder of this key.</summary>
    protected abstract Task<bool> IsFolderAsync(string key, CancellationToken cancellationToken);

    /// <summary>Records a folder key (idempotent).</summary>
    protected abstract Task AddFolderAsync(string key, CancellationToken cancellationToken);

    /// <summary>A file key was claimed; the caller inserts its item.</summary>
    protected virtual Task FileClaimedAsync(string key, CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<string> UniqueAsync(string path, string url, Func<string, Task<bool>> isFree)
    {
        if (await isFree(path).ConfigureAwait(false))
        {
            return path;
        }

        path = OutputPathMapper.AddSuffix(path, "~" + OutputPathMapper.ShortHash(url));
        for (var n = 2; !await isFree(path).ConfigureAwait(false); n++)
        {
            path = OutputPathMapper.AddSuffix(path, "~" + n.ToString(CultureInfo.InvariantCulture));
        }

        return path;
    }
}
