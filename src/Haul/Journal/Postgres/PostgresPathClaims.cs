using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>
/// Output path claims in the PostgreSQL journal, for one transaction that holds the job's add lock: the keys a batch
/// may need (its paths and their folders) are read in two queries up front, new claims are kept in memory and the new
/// folders written at the end in one statement; a key the batch did not foresee (a suffixed variant) is asked for alone.
/// The unique index on <c>(job_id, path_key)</c> stays the last word.
/// </summary>
internal sealed class PostgresPathClaims : PathClaimRules
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly long _job;
    private readonly Dictionary<string, bool> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _folders = new(StringComparer.Ordinal);
    private readonly List<string> _newFolders = [];

    public PostgresPathClaims(NpgsqlConnection connection, NpgsqlTransaction transaction, long job)
    {
        _connection = connection;
        _transaction = transaction;
        _job = job;
    }

    /// <summary>Reads, in two queries, whether each of <paramref name="paths"/> and their folders is a file or a folder.</summary>
    public async Task PrefetchAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            keys.Add(SqliteSchema.PathKey(path));
            foreach (var folder in FoldersOf(path))
            {
                keys.Add(SqliteSchema.PathKey(folder));
            }
        }

        keys.ExceptWith(_files.Keys);
        if (keys.Count == 0)
        {
            return;
        }

        var array = keys.ToArray();
        foreach (var key in array)
        {
            _files[key] = false;
            _folders.TryAdd(key, false);
        }

        await using var batch = new NpgsqlBatch(_connection, _transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT path_key FROM items WHERE job_id = $1 AND path_key = ANY ($2);")
                {
                    Parameters = { new NpgsqlParameter { Value = _job }, new NpgsqlParameter { Value = array } },
                },
                new NpgsqlBatchCommand("SELECT key FROM folders WHERE job_id = $1 AND key = ANY ($2);")
                {
                    Parameters = { new NpgsqlParameter { Value = _job }, new NpgsqlParameter { Value = array } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _files[reader.GetString(0)] = true;
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _folders[reader.GetString(0)] = true;
        }
    }

    /// <summary>Writes the folders claimed since the last call.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_newFolders.Count == 0)
        {
            return;
        }

        await using var insert = new NpgsqlCommand(
            "INSERT INTO folders (job_id, key) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING;", _connection, _transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = _job });
        insert.Parameters.Add(new NpgsqlParameter { Value = _newFolders.ToArray() });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _newFolders.Clear();
    }

    protected override async Task<bool> IsFileAsync(string key, CancellationToken cancellationToken)
    {
        if (await IsFolderAsync(key, cancellationToken).ConfigureAwait(false))
        {
            // A folder key is never a file's: claims keep the two apart.
            return false;
        }

        if (!_files.TryGetValue(key, out var isFile))
        {
            isFile = await ExistsAsync("SELECT 1 FROM items WHERE job_id = $1 AND path_key = $2;", key, cancellationToken).ConfigureAwait(false);
            _files[key] = isFile;
        }

        return isFile;
    }

    protected override async Task<bool> IsFolderAsync(string key, CancellationToken cancellationToken)
    {
        if (!_folders.TryGetValue(key, out var isFolder))
        {
            isFolder = await ExistsAsync("SELECT 1 FROM folders WHERE job_id = $1 AND key = $2;", key, cancellationToken).ConfigureAwait(false);
            _folders[key] = isFolder;
        }

        return isFolder;
    }

    protected override Task AddFolderAsync(string key, CancellationToken cancellationToken)
    {
        if (!_folders.TryGetValue(key, out var known) || !known)
        {
            _folders[key] = true;
            _newFolders.Add(key);
        }

        return Task.CompletedTask;
    }

    protected override Task FileClaimedAsync(string key, CancellationToken cancellationToken)
    {
        _files[key] = true;
        return Task.CompletedTask;
    }

    private async Task<bool> ExistsAsync(string sql, string key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection, _transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = _job });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }
}
