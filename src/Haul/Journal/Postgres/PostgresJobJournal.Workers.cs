using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>The workers of a shared job: joining, heartbeats that keep leases alive, and each host's shared turns.</summary>
public sealed partial class PostgresJobJournal : ISharedJobJournal
{
    private const string DbNow = PostgresSchema.NowMilliseconds;

    /// <summary>The claims the owner (<c>$2</c>) holds on unfinished items of the job (<c>$1</c>), given back: the head of a statement.</summary>
    private const string ReleaseClaims = """
        WITH released AS (
            UPDATE items SET lease_owner = NULL, lease_until = NULL
            WHERE job_id = $1 AND lease_owner = $2 AND state IN (0, 1)
            RETURNING 1)

        """;

    /// <summary>
    /// A worker's new gap (<c>$6</c>) is taken only from the version it saw (<c>$8</c>): a rise by a worker that missed
    /// another's cut would undo that cut, and a cut on top of a cut it did not see would cut twice for one push-back.
    /// </summary>
    private const string Taken = "($6 IS NOT NULL AND h.gap_version = $8)";

    /// <summary>A host's next turn is further off than the longest wait (<c>$7</c>): told, not booked.</summary>
    private const string Far = "(greatest(h.next_start, h.not_before) - " + DbNow + " > $7)";
    private volatile string? _owner;
    private volatile string? _holder;

    /// <summary>The folder of the worker that joined through this journal (<see cref="JoinAsync"/>); null before.</summary>
    public string? Holder => _holder;

    /// <inheritdoc/>
    public async Task JoinAsync(string owner, string holder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO workers (job_id, owner, holder) VALUES ($1, $2, $3)
            ON CONFLICT (job_id, owner) DO UPDATE SET holder = excluded.holder, started_at = now(), heartbeat_at = now(), left_at = NULL;
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = JobId });
        command.Parameters.Add(new NpgsqlParameter { Value = owner });
        command.Parameters.Add(new NpgsqlParameter { Value = holder });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _owner = owner;
        _holder = holder;
    }

    /// <inheritdoc/>
    public async Task<int> HeartbeatAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    """
                    WITH renewed AS (
                        UPDATE items SET lease_until = clock_timestamp() + $3 * interval '1 millisecond'
                        WHERE job_id = $1 AND lease_owner = $2 AND state IN (0, 1)
                        RETURNING 1),
                    beat AS (
                        UPDATE workers SET heartbeat_at = clock_timestamp() WHERE job_id = $1 AND owner = $2 RETURNING 1)
                    SELECT count(*)::integer FROM renewed;
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = owner });
                command.Parameters.Add(new NpgsqlParameter { Value = LeaseMilliseconds(lease) });
                return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<int> CountWorkersAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    """
                    SELECT count(*)::integer FROM workers
                    WHERE job_id = $1 AND left_at IS NULL AND heartbeat_at > clock_timestamp() - $2 * interval '1 millisecond';
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = LeaseMilliseconds(lease) });
                return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<long> IdleAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    ReleaseClaims + "SELECT count(*) FROM items WHERE job_id = $1 AND state IN (0, 1);", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = owner });
                return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task LeaveAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    ReleaseClaims + "UPDATE workers SET left_at = clock_timestamp(), heartbeat_at = clock_timestamp() WHERE job_id = $1 AND owner = $2;",
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = owner });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One round trip: the item's lease is renewed only under its token, and the host's turn is booked only when it is;
    /// a turn is one gap after the last one booked by any worker, never before the host's pause (<c>not_before</c>, which
    /// any worker's 429 or ban sets) nor before now. A turn further off than the longest wait is not booked (a worker
    /// that would not wait for it must not push every later turn back); the wait until the next free turn is told.
    /// </remarks>
    public async Task<HostTurn> TakeTurnAsync(
        JournalItem item, string host, long? gap, long gapVersion, TimeSpan lease, TimeSpan longestWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    $"""
                    WITH ahead AS (
                        SELECT coalesce((SELECT greatest(next_start, not_before) - {DbNow} FROM hosts WHERE job_id = $1 AND host = $4), 0) AS ms),
                    held AS (
                        UPDATE items SET lease_until = clock_timestamp() + $5 * interval '1 millisecond'
                        WHERE id = $2 AND job_id = $1 AND lease_token = $3 AND state IN (0, 1)
                        RETURNING 1),
                    turn AS (
                        INSERT INTO hosts AS h (job_id, host, gap_ms, gap_version, next_start)
                        SELECT $1, $4, coalesce($6, 0), CASE WHEN $6 IS NULL THEN 0 ELSE 1 END, {DbNow} + coalesce($6, 0)
                        WHERE EXISTS (SELECT 1 FROM held)
                        ON CONFLICT (job_id, host) DO UPDATE SET
                            gap_ms = CASE WHEN {Taken} THEN $6 ELSE h.gap_ms END,
                            gap_version = CASE WHEN {Taken} THEN h.gap_version + 1 ELSE h.gap_version END,
                            next_start = CASE WHEN {Far} THEN h.next_start
                                ELSE greatest(h.next_start, h.not_before, {DbNow}) + CASE WHEN {Taken} THEN $6 ELSE h.gap_ms END END,
                            window_start = CASE WHEN {Far} OR {DbNow} - h.window_start < 1000 THEN h.window_start ELSE {DbNow} END,
                            window_starts = CASE WHEN {Far} THEN h.window_starts WHEN {DbNow} - h.window_start < 1000 THEN h.window_starts + 1 ELSE 1 END,
                            last_second = CASE WHEN {Far} OR {DbNow} - h.window_start < 1000 THEN h.last_second
                                WHEN {DbNow} - h.window_start < 2000 THEN h.window_starts ELSE 0 END
                        RETURNING greatest(h.next_start - h.gap_ms, h.not_before) - {DbNow} AS wait, h.gap_ms, h.gap_version, h.last_second)
                    SELECT EXISTS (SELECT 1 FROM held),
                        CASE WHEN (SELECT ms FROM ahead) > $7 THEN (SELECT ms FROM ahead) ELSE coalesce((SELECT wait FROM turn), 0) END,
                        coalesce((SELECT gap_ms FROM turn), 0),
                        coalesce((SELECT gap_version FROM turn), 0), coalesce((SELECT last_second FROM turn), 0),
                        coalesce((SELECT w.owner = $9 FROM workers w
                                  WHERE w.job_id = $1 AND w.left_at IS NULL AND w.heartbeat_at > clock_timestamp() - $5 * interval '1 millisecond'
                                  ORDER BY w.started_at, w.owner LIMIT 1), true);
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = item.Id });
                command.Parameters.Add(new NpgsqlParameter { Value = item.LeaseToken });
                command.Parameters.Add(new NpgsqlParameter { Value = host });
                command.Parameters.Add(new NpgsqlParameter { Value = LeaseMilliseconds(lease) });
                command.Parameters.Add(new NpgsqlParameter<long?> { TypedValue = gap is { } g ? Math.Max(0, g) : null });
                command.Parameters.Add(new NpgsqlParameter { Value = (long)longestWait.TotalMilliseconds });
                command.Parameters.Add(new NpgsqlParameter { Value = gapVersion });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)_owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new HostTurn(
                    reader.GetBoolean(0), TimeSpan.FromMilliseconds(Math.Max(0, reader.GetInt64(1))), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4),
                    reader.IsDBNull(5) || reader.GetBoolean(5));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TimeSpan> ReadHostPauseAsync(string host, CancellationToken cancellationToken)
    {
        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    $"SELECT coalesce((SELECT greatest(not_before - {DbNow}, 0) FROM hosts WHERE job_id = $1 AND host = $2), 0);", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = host });
                return TimeSpan.FromMilliseconds((long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> HoldsAsync(JournalItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    "SELECT EXISTS (SELECT 1 FROM items WHERE id = $2 AND job_id = $1 AND lease_token = $3 AND state IN (0, 1));",
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = item.Id });
                command.Parameters.Add(new NpgsqlParameter { Value = item.LeaseToken });
                return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<WorkerStatus>> ReadWorkersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT w.owner, w.holder, w.started_at, w.heartbeat_at, w.left_at,
                (SELECT count(*) FROM items i WHERE i.job_id = $1 AND i.lease_owner = w.owner AND i.state IN (0, 1) AND i.lease_until > clock_timestamp()),
                (SELECT count(*) FROM items i WHERE i.job_id = $1 AND i.done_by = w.owner AND i.state = 2)
            FROM workers w WHERE w.job_id = $1 ORDER BY w.started_at, w.owner;
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = JobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var workers = new List<WorkerStatus>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            workers.Add(new WorkerStatus(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetInt64(5),
                reader.GetInt64(6)));
        }

        return workers;
    }

    private static double LeaseMilliseconds(TimeSpan lease) => Math.Clamp(lease.TotalMilliseconds, 0, MaxLease);
}
