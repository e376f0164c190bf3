using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>
/// Checking one folder's done files of a shared job (<c>haul verify --journal … --job …</c>): the job is opened without
/// joining it or creating anything, the done files its folder holds are read, and the missing or changed ones are put
/// back to pending for any worker to fetch again.
/// </summary>
public sealed partial class PostgresJobJournal
{
    /// <summary>
    /// Opens the existing job <paramref name="job"/> to change some of its items, creating and migrating nothing: the
    /// schema must be this Haul's already (as <see cref="OpenReadOnlyAsync"/> checks it), no run is started and no worker
    /// joins. Its statements may write.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database holds no Haul tables, or tables of another version.</exception>
    /// <exception cref="JournalJobNotFoundException">The job does not exist.</exception>
    public static async Task<PostgresJobJournal> OpenExistingAsync(
        string connectionString, string job, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(job);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return await OpenExistingAsync(NpgsqlDataSource.Create(connectionString), job, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The done items whose files the folder <paramref name="holder"/> (<c>machine:path</c>) holds, streamed in id order.</summary>
    public IAsyncEnumerable<JournalItem> ReadHeldItemsAsync(string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        return ReadPagedAsync(
            $"SELECT {PostgresRows.Columns} FROM items WHERE job_id = $1 AND state = 2 AND holder = $4 AND id > $2 ORDER BY id LIMIT $3;",
            [holder],
            ReadItem,
            cancellationToken);
    }

    /// <summary>
    /// Puts <paramref name="items"/> back to pending, each only while it is still done, held by the folder
    /// <paramref name="holder"/>, with the SHA-256 it was read with: an item another command reopened, or a worker
    /// fetched again since, is left as it is, and one a worker is working on is never done. Returns how many were
    /// reopened (tried again after a connection lost its answer, those the first try reopened are not counted).
    /// </summary>
    public async Task<int> ReopenHeldAsync(IReadOnlyList<JournalItem> items, string holder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        if (items.Count == 0)
        {
            return 0;
        }

        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    """
                    UPDATE items SET state = 0, not_before = 0, updated_at = now()
                    FROM unnest($2::bigint[], $3::text[]) AS r (id, sha256)
                    WHERE items.job_id = $1 AND items.id = r.id AND items.state = 2 AND items.holder = $4
                        AND items.sha256 IS NOT DISTINCT FROM r.sha256;
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = items.Select(i => i.Id).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = items.Select(i => i.Sha256).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = holder });
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }
}
