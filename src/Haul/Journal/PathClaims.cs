using System.Globalization;
using Haul.Writing;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>
/// Output paths as the database holds them: a file's claim is its item's unique <c>path_key</c>, a folder's a row of
/// <c>folders</c>; keys ignore case, so that a job gives the same names on every file system. A new path is made
/// unique with deterministic suffixes: it never names a file where another item has a file or a folder, and never runs
/// through another item's file. Known folders are cached (folders are few next to files), so the usual claim costs one
/// look-up of the file's own key. The cache is filled from the journal on first use, so that a key missing from it is
/// known not to be a folder without asking.
/// </summary>
internal sealed class PathClaims : IDisposable
{
    private readonly HashSet<string> _folders = new(StringComparer.Ordinal);
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _fileTaken;
    private readonly SqliteCommand _addFolder;
    private SqliteTransaction? _transaction;
    private bool _loaded;

    public PathClaims(SqliteConnection connection)
    {
        _connection = connection;
        _fileTaken = Command(connection, "SELECT 1 FROM items WHERE path_key = $key;");
        _addFolder = Command(connection, "INSERT OR IGNORE INTO folders (key) VALUES ($key);");
    }

    /// <summary>The transaction the claims are made in.</summary>
    public SqliteTransaction? Transaction
    {
        set
        {
            _transaction = value;
            _fileTaken.Transaction = value;
            _addFolder.Transaction = value;
        }
    }

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
        if (!_loaded)
        {
            await LoadFoldersAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var folder in FoldersOf(path).ToList())
        {
            if (!await IsFileAsync(folder, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            // Another item's file sits where this path needs a folder: this path's folder gets the suffix.
            var free = await UniqueAsync(folder, url, async c => !await IsFileAsync(c, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            return await ClaimAsync(free + path[folder.Length..], url, cancellationToken).ConfigureAwait(false);
        }

        path = await UniqueAsync(path, url, async c =>
            !IsFolder(c) && !await IsFileAsync(c, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        foreach (var folder in FoldersOf(path))
        {
            var key = SqliteSchema.PathKey(folder);
            if (_folders.Add(key))
            {
                _addFolder.Parameters["$key"].Value = key;
                await _addFolder.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return path;
    }

    public void Dispose()
    {
        _fileTaken.Dispose();
        _addFolder.Dispose();
    }

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

    private async Task<bool> IsFileAsync(string path, CancellationToken cancellationToken)
    {
        var key = SqliteSchema.PathKey(path);
        if (_folders.Contains(key))
        {
            // A folder key is never a file's: claims keep the two apart.
            return false;
        }

        _fileTaken.Parameters["$key"].Value = key;
        return await _fileTaken.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    private bool IsFolder(string path) => _folders.Contains(SqliteSchema.PathKey(path));

    private async Task LoadFoldersAsync(CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = "SELECT key FROM folders;";
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _folders.Add(reader.GetString(0));
        }

        _loaded = true;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new SqliteParameter { ParameterName = "$key" });
        return command;
    }
}
