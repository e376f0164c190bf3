using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>What <c>haul status</c> reads of a shared job besides its items: its workers and its hosts' shared state.</summary>
public sealed partial class PostgresJobJournal
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<WorkerStatus>> ReadWorkersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT w.owner, w.holder, w.started_at, w.heartbeat_at, w.left_at,
                (SELECT count(*) FROM items i WHERE i.job_id = $1 AND i.lease_owner = w.owner AND i.state IN (0, 1) AND i.lease_until > clock_timestamp()),
                (SELECT count(*) FROM items i WHERE i.job_id = $1 AND i.done_by = w.owner AND i.state = 2),
                greatest((extract(epoch FROM clock_timestamp() - w.heartbeat_at) * 1000)::bigint, 0),
                w.lease_ms
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
                reader.GetInt64(6))
            {
                SinceHeartbeat = TimeSpan.FromMilliseconds(reader.GetInt64(7)),
                Lease = reader.IsDBNull(8) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(8)),
            });
        }

        return workers;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SharedHostStatus>> ReadHostsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT host, gap_ms, greatest(not_before - {DbNow}, 0), reason FROM hosts WHERE job_id = $1 ORDER BY host;", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = JobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var hosts = new List<SharedHostStatus>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hosts.Add(new SharedHostStatus(
                reader.GetString(0),
                TimeSpan.FromMilliseconds(reader.GetInt64(1)),
                TimeSpan.FromMilliseconds(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return hosts;
    }
}
