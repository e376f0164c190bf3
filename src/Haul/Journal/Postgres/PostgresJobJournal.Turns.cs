using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>Each host's turns, shared by the workers of a job: booked one gap apart, held by any worker's pause.</summary>
public sealed partial class PostgresJobJournal
{
    private const string DbNow = PostgresSchema.NowMilliseconds;

    /// <summary>
    /// Locks the host's row (<c>$1</c>, <c>$4</c>) for the rest of a turn's transaction, creating it when it is missing,
    /// when the item (<c>$2</c>) is still held under its token (<c>$3</c>). <c>DO UPDATE … WHERE false</c> changes
    /// nothing but locks the row; a booking that waited for it then reads what the booking before it wrote.
    /// </summary>
    private const string LockHost = """
        INSERT INTO hosts AS h (job_id, host)
        SELECT $1, $4 WHERE EXISTS (SELECT 1 FROM items WHERE id = $2 AND job_id = $1 AND lease_token = $3 AND state IN (0, 1))
        ON CONFLICT (job_id, host) DO UPDATE SET gap_ms = h.gap_ms WHERE false;
        """;

    /// <summary>
    /// A worker's new gap (<c>$6</c>) is taken only from the version it saw (<c>$8</c>): a rise by a worker that missed
    /// another's cut would undo that cut, and a cut on top of a cut it did not see would cut twice for one push-back.
    /// </summary>
    private const string Taken = "($6 IS NOT NULL AND h.gap_version = $8)";

    /// <summary>A host's next turn is further off than the longest wait (<c>$7</c>): told, not booked.</summary>
    private const string Far = "(greatest(h.next_start, h.not_before) - " + DbNow + " > $7)";

    /// <inheritdoc/>
    /// <remarks>
    /// One round trip, one transaction of two statements: the first locks the host's row (creating it when the item is
    /// held), so that the second, which reads the row afresh, books from the turn the last worker booked, never from one
    /// that another worker is booking at the same moment. The item's lease is renewed only under its token, and the
    /// host's turn is booked only when it is; a turn is one gap after the last one booked by any worker, never before the
    /// host's pause (<c>not_before</c>, which any worker's 429 or ban sets) nor before now. A turn further off than the longest wait is not booked (a worker
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
                await using var batch = new NpgsqlBatch(connection);
                var locking = new NpgsqlBatchCommand(LockHost);
                locking.Parameters.Add(new NpgsqlParameter { Value = JobId });
                locking.Parameters.Add(new NpgsqlParameter { Value = item.Id });
                locking.Parameters.Add(new NpgsqlParameter { Value = item.LeaseToken });
                locking.Parameters.Add(new NpgsqlParameter { Value = host });
                batch.BatchCommands.Add(locking);
                var command = new NpgsqlBatchCommand(
                    $"""
                    WITH ahead AS (
                        SELECT coalesce((SELECT greatest(next_start, not_before) - {DbNow} FROM hosts WHERE job_id = $1 AND host = $4), 0) AS ms,
                            coalesce((SELECT probes_left FROM hosts WHERE job_id = $1 AND host = $4 AND next_start <= not_before), 0) AS probes),
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
                                WHEN {DbNow} - h.window_start < 2000 THEN h.window_starts ELSE 0 END,
                            probes_left = CASE WHEN {Far} THEN h.probes_left WHEN h.next_start > h.not_before THEN 0 ELSE greatest(h.probes_left - 1, 0) END
                        RETURNING greatest(h.next_start - h.gap_ms, h.not_before) - {DbNow} AS wait, h.gap_ms, h.gap_version, h.last_second,
                            h.noise_shown)
                    SELECT EXISTS (SELECT 1 FROM held),
                        CASE WHEN (SELECT ms FROM ahead) > $7 THEN (SELECT ms FROM ahead) ELSE coalesce((SELECT wait FROM turn), 0) END,
                        coalesce((SELECT gap_ms FROM turn), 0),
                        coalesce((SELECT gap_version FROM turn), 0), coalesce((SELECT last_second FROM turn), 0),
                        coalesce((SELECT w.owner = $9 FROM workers w
                                  WHERE w.job_id = $1 AND w.left_at IS NULL AND w.heartbeat_at > clock_timestamp() - $5 * interval '1 millisecond'
                                  ORDER BY w.started_at, w.owner LIMIT 1), true),
                        (SELECT ms FROM ahead) <= $7 AND (SELECT probes FROM ahead) > 0 AND EXISTS (SELECT 1 FROM turn),
                        coalesce((SELECT noise_shown FROM turn), false);
                    """);
                batch.BatchCommands.Add(command);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = item.Id });
                command.Parameters.Add(new NpgsqlParameter { Value = item.LeaseToken });
                command.Parameters.Add(new NpgsqlParameter { Value = host });
                command.Parameters.Add(new NpgsqlParameter { Value = LeaseMilliseconds(lease) });
                command.Parameters.Add(new NpgsqlParameter<long?> { TypedValue = gap is { } g ? Math.Max(0, g) : null });
                command.Parameters.Add(new NpgsqlParameter { Value = (long)longestWait.TotalMilliseconds });
                command.Parameters.Add(new NpgsqlParameter { Value = gapVersion });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)_owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (reader.FieldCount == 0 && await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
                {
                }

                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new HostTurn(
                    reader.GetBoolean(0), TimeSpan.FromMilliseconds(Math.Max(0, reader.GetInt64(1))), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4),
                    reader.IsDBNull(5) || reader.GetBoolean(5), reader.GetBoolean(6), reader.GetBoolean(7));
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
}
