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

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new SqliteParameter { ParameterName = "$key" });
        return command;
    }
}
