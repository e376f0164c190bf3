using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>
/// Output paths as the SQLite journal holds them: a file's claim is its item's unique <c>path_key</c>, a folder's a
/// row of <c>folders</c>. Known folders are cached (folders are few next to files), so the usual claim costs one
/// look-up of the file's own key. The cache is filled from the journal on first use, so that a key missing from it is
/// known not to be a folder without asking.
/// </summary>
internal sealed class PathClaims : PathClaimRules, IDisposable
{
    private readonly HashSet<string> _folders = new(StringComparer.Ordinal);
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _fileTaken;
    private readonly SqliteCommand _addFolder;
    private SqliteTransaction? _transaction;
    private bool _loaded;

    /// <summary>The folder part of the last path claimed as it is: each of its folders is a known folder.</summary>
    private string? _lastFolders;

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

    /// <summary>
    /// Whether <paramref name="path"/> may be claimed as it is, unless an item's file already has its key: none of its
    /// folders is a file and its key is no folder. The caller then inserts the item, its unique file key being the last
    /// check, and calls <see cref="ClaimedAsIsAsync"/> when the insert succeeded; when it did not (or this is false),
    /// <see cref="PathClaimRules.ClaimAsync"/> gives what it would have given, as this changes nothing. The folders of
    /// the path claimed before are not looked at again: a list names many files of one folder in a row.
    /// </summary>
    public async Task<bool> MayClaimAsIsAsync(string path, CancellationToken cancellationToken)
    {
        await PrepareAsync(cancellationToken).ConfigureAwait(false);
        if (!InLastFolders(path))
        {
            foreach (var folder in FoldersOf(path))
            {
                if (await IsFileAsync(SqliteSchema.PathKey(folder), cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }

        return !await IsFolderAsync(SqliteSchema.PathKey(path), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the folders of a path <see cref="MayClaimAsIsAsync"/> allowed, once its item is inserted.</summary>
    public async Task ClaimedAsIsAsync(string path, CancellationToken cancellationToken)
    {
        if (InLastFolders(path))
        {
            return;
        }

        foreach (var folder in FoldersOf(path))
        {
            await AddFolderAsync(SqliteSchema.PathKey(folder), cancellationToken).ConfigureAwait(false);
        }

        var slash = path.LastIndexOf('/');
        _lastFolders = slash < 0 ? null : path[..slash];
    }

    public void Dispose()
    {
        _fileTaken.Dispose();
        _addFolder.Dispose();
    }

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

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

    protected override async Task<bool> IsFileAsync(string key, CancellationToken cancellationToken)
    {
        if (_folders.Contains(key))
        {
            // A folder key is never a file's: claims keep the two apart.
            return false;
        }

        _fileTaken.Parameters["$key"].Value = key;
        return await _fileTaken.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    protected override Task<bool> IsFolderAsync(string key, CancellationToken cancellationToken) => Task.FromResult(_folders.Contains(key));

    protected override async Task AddFolderAsync(string key, CancellationToken cancellationToken)
    {
        if (_folders.Add(key))
        {
            _addFolder.Parameters["$key"].Value = key;
            await _addFolder.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private bool InLastFolders(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash > 0 && _lastFolders is { } last && path.AsSpan(0, slash).SequenceEqual(last);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new SqliteParameter { ParameterName = "$key" });
        return command;
    }
}
