using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>The workers of a shared job: joining, heartbeats that keep leases alive, and each host's shared turns.</summary>
public sealed partial class PostgresJobJournal : ISharedJobJournal
{
    /// <summary>The claims the owner (<c>$2</c>) holds on unfinished items of the job (<c>$1</c>), given back: the head of a statement.</summary>
    private const string ReleaseClaims = """
        WITH released AS (
            UPDATE items SET lease_owner = NULL, lease_until = NULL
            WHERE job_id = $1 AND lease_owner = $2 AND state IN (0, 1)
            RETURNING 1)

        """;

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
                        UPDATE workers SET heartbeat_at = clock_timestamp(), lease_ms = $3 WHERE job_id = $1 AND owner = $2 RETURNING 1)
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
                    WHERE job_id = $1 AND left_at IS NULL AND heartbeat_at > clock_timestamp() - coalesce(lease_ms, $2) * interval '1 millisecond';
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

    /// <summary>
    /// Records as left, releasing their claims at once, the workers of <paramref name="holder"/>'s folder that have not
    /// left and that <paramref name="gone"/> says are gone (by their owner key): a worker run again after it was killed
    /// need not wait for the lease of its earlier process.
    /// </summary>
    public async Task<int> ReleaseGoneAsync(string holder, Func<string, bool> gone, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentNullException.ThrowIfNull(gone);
        var owners = new List<string>();
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = new NpgsqlCommand("SELECT owner FROM workers WHERE job_id = $1 AND holder = $2 AND left_at IS NULL;", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = JobId });
            command.Parameters.Add(new NpgsqlParameter { Value = holder });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                owners.Add(reader.GetString(0));
            }
        }

        var released = 0;
        foreach (var owner in owners.Where(gone))
        {
            await LeaveAsync(owner, cancellationToken).ConfigureAwait(false);
            released++;
        }

        return released;
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

    private static double LeaseMilliseconds(TimeSpan lease) => Math.Clamp(lease.TotalMilliseconds, 0, MaxLease);
}
