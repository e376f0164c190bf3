using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>What the workers of a shared crawl share besides its items: its definition, its page limit's count, and robots.txt.</summary>
public sealed partial class PostgresJobJournal
{
    /// <summary>The kind of a job of an older Haul, which had none: a list once it has items.</summary>
    private const string ReadDefinition = """
        SELECT coalesce(kind, CASE WHEN EXISTS (SELECT 1 FROM items WHERE job_id = $1) THEN 'list' END), crawl FROM jobs WHERE id = $1;
        """;

    /// <inheritdoc/>
    public Task<JobDefinition> ReadDefinitionAsync(CancellationToken cancellationToken) =>
        PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(ReadDefinition, connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                return await ReadDefinitionAsync(command, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task<JobDefinition> DefineAsync(JobDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Kind is not { } kind || (kind == JobKind.Crawl) != (definition.Crawl is not null))
        {
            throw new ArgumentException("A definition is a list, or a crawl with its options.", nameof(definition));
        }

        // Two statements: the update waits for the job row's lock when another command is fixing the kind at the same
        // moment, then finds it fixed; the read after it takes a snapshot of its own, so it sees what that command fixed.
        return PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (var update = new NpgsqlCommand(
                    """
                    UPDATE jobs SET kind = $2, crawl = $3
                    WHERE id = $1 AND kind IS NULL AND ($2 = 'list' OR NOT EXISTS (SELECT 1 FROM items WHERE job_id = $1));
                    """,
                    connection))
                {
                    update.Parameters.Add(new NpgsqlParameter { Value = JobId });
                    update.Parameters.Add(new NpgsqlParameter { Value = Name(kind) });
                    update.Parameters.Add(new NpgsqlParameter { Value = (object?)definition.Crawl ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                    await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await using var read = new NpgsqlCommand(ReadDefinition, connection);
                read.Parameters.Add(new NpgsqlParameter { Value = JobId });
                return await ReadDefinitionAsync(read, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    private static async Task<JobDefinition> ReadDefinitionAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        JobKind? kind = reader.IsDBNull(0) ? null : reader.GetString(0) == Name(JobKind.Crawl) ? JobKind.Crawl : JobKind.List;
        return new JobDefinition(kind, reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    private static string Name(JobKind kind) => kind == JobKind.Crawl ? "crawl" : "list";

    /// <inheritdoc/>
    public Task<IReadOnlySet<long>> ReadFinishedAsync(IReadOnlyList<long> itemIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        return PostgresRetry.RunAsync<IReadOnlySet<long>>(
            async () =>
            {
                var finished = new HashSet<long>();
                if (itemIds.Count == 0)
                {
                    return finished;
                }

                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT id FROM items WHERE job_id = $1 AND id = ANY ($2) AND state IN (2, 4);", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = itemIds.ToArray() });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    finished.Add(reader.GetInt64(0));
                }

                return finished;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Uri>> ReadGivenStartPagesAsync(CancellationToken cancellationToken) =>
        PostgresRetry.RunAsync<IReadOnlyList<Uri>>(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    "SELECT url FROM items WHERE job_id = $1 AND kind = 1 AND depth = 0 AND source = $2 ORDER BY id;", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = FoundItem.StartPageSource });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                var pages = new List<Uri>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    pages.Add(new Uri(reader.GetString(0)));
                }

                return pages;
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task<StartPagesSnapshot> SnapshotStartPagesAsync(CancellationToken cancellationToken) =>
        PostgresRetry.RunAsync(
            async () =>
            {
                // One snapshot for both: the largest item id it sees (of any job: the primary key answers at once) was given
                // out before the snapshot, and so was every smaller id; an item is added after the start page it was
                // found from was committed, so a start page of an item with an id up to that mark is in the snapshot too.
                // Ids are not committed in order, so the mark may cover ids not committed yet: their items are no later.
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    "SELECT coalesce((SELECT max(id) FROM items), 0), array(SELECT url FROM items WHERE job_id = $1 AND kind = 1 AND depth = 0 ORDER BY id);",
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new StartPagesSnapshot([.. reader.GetFieldValue<string[]>(1).Select(url => new Uri(url))], reader.GetInt64(0));
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task<PageAdmission> AdmitPageAsync(long itemId, int maxPages, CancellationToken cancellationToken)
    {
        // One statement: the job's row is the lock every worker's admission takes, and its count is checked again under
        // it. A page admitted once (before its worker died, or before a connection broke after the commit) is admitted
        // again without being counted twice. A page refused is refused because the job has all it may take: the count
        // told is then the limit (the statement's snapshot may predate the others' admissions).
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
                        coalesce((SELECT pages_admitted FROM counted),
                            CASE WHEN coalesce((SELECT admitted FROM page), false) THEN (SELECT pages_admitted FROM jobs WHERE id = $1) ELSE $3 END);
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
                // The origin's items a worker skipped because it could not read this robots.txt are judged again by it.
                await using var batch = new NpgsqlBatch(connection);
                var keep = new NpgsqlBatchCommand(
                    """
                    INSERT INTO robots (job_id, origin, body, fetched_at) VALUES ($1, $2, $3, clock_timestamp())
                    ON CONFLICT (job_id, origin) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at;
                    """);
                keep.Parameters.Add(new NpgsqlParameter { Value = JobId });
                keep.Parameters.Add(new NpgsqlParameter { Value = origin });
                keep.Parameters.Add(new NpgsqlParameter { Value = body.ToArray() });
                var reopen = new NpgsqlBatchCommand(
                    """
                    UPDATE items SET state = 0, not_before = 0
                    WHERE job_id = $1 AND state = 4 AND note = 'robots-unavailable' AND left(url, length($2) + 1) = $2 || '/';
                    """);
                reopen.Parameters.Add(new NpgsqlParameter { Value = JobId });
                reopen.Parameters.Add(new NpgsqlParameter { Value = origin });
                batch.BatchCommands.Add(keep);
                batch.BatchCommands.Add(reopen);
                return await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }
}
