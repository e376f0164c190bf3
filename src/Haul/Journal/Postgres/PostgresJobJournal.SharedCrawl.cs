using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>What the workers of a shared crawl share besides its items: its definition, its page limit's count, and robots.txt.</summary>
public sealed partial class PostgresJobJournal
{
    /// <inheritdoc/>
    public Task<string?> ReadCrawlAsync(CancellationToken cancellationToken) =>
        PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT crawl FROM jobs WHERE id = $1;", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task<string?> DefineCrawlAsync(string definition, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(definition);

        // The row's lock orders two commands that define one new job at once: the second sees the first's definition.
        return PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    """
                    WITH defined AS (
                        UPDATE jobs SET crawl = $2
                        WHERE id = $1 AND crawl IS NULL AND NOT EXISTS (SELECT 1 FROM items WHERE job_id = $1)
                        RETURNING crawl)
                    SELECT coalesce((SELECT crawl FROM defined), (SELECT crawl FROM jobs WHERE id = $1));
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = definition });
                return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<PageAdmission> AdmitPageAsync(long itemId, int maxPages, CancellationToken cancellationToken)
    {
        // One statement: the job's row is the lock every worker's admission takes, and its count is checked again under
        // it. A page admitted once (before its worker died, or before a connection broke after the commit) is admitted
        // again without being counted twice.
        return PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    """
                    WITH page AS (
                        SELECT admitted FROM items WHERE id = $2 AND job_id = $1 FOR UPDATE),
                    counted AS (
                        UPDATE jobs SET pages_admitted = pages_admitted + 1
                        WHERE id = $1 AND pages_admitted < $3 AND (SELECT NOT admitted FROM page)
                        RETURNING pages_admitted),
                    marked AS (
                        UPDATE items SET admitted = true WHERE id = $2 AND EXISTS (SELECT 1 FROM counted) RETURNING 1)
                    SELECT coalesce((SELECT admitted FROM page), false) OR EXISTS (SELECT 1 FROM counted),
                        coalesce((SELECT pages_admitted FROM counted), (SELECT pages_admitted FROM jobs WHERE id = $1));
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = itemId });
                command.Parameters.Add(new NpgsqlParameter { Value = maxPages });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new PageAdmission(reader.GetBoolean(0), reader.GetInt32(1));
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<byte[]?> ReadRobotsAsync(string origin, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(origin);
        return PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    "SELECT body FROM robots WHERE job_id = $1 AND origin = $2 AND fetched_at > clock_timestamp() - $3 * interval '1 millisecond';",
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = origin });
                command.Parameters.Add(new NpgsqlParameter { Value = maxAge.TotalMilliseconds });
                return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task SaveRobotsAsync(string origin, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(origin);
        return PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    """
                    INSERT INTO robots (job_id, origin, body, fetched_at) VALUES ($1, $2, $3, clock_timestamp())
                    ON CONFLICT (job_id, origin) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at;
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = origin });
                command.Parameters.Add(new NpgsqlParameter { Value = body.ToArray() });
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }
}
