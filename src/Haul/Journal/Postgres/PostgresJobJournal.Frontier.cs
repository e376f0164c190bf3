using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>The frontier side of the journal: which hosts have work, and leases on their items.</summary>
public sealed partial class PostgresJobJournal
{
    /// <summary>The longest lease, in milliseconds (a year): a longer one is no lease, and beyond the database's intervals.</summary>
    private const long MaxLease = 365L * 24 * 3600 * 1000;

    /// <inheritdoc/>
    /// <remarks>
    /// The hosts with unfinished items are found by a skip scan of a partial index (one probe a host, whatever the
    /// number of items), then ordered by their pause.
    /// </remarks>
    public async Task<IReadOnlyList<HostWork>> ReadHostsWithWorkAsync(int limit, IReadOnlySet<string> except, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(except);
        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    $"""
                    WITH RECURSIVE hosts_with_work (host) AS (
                        (SELECT host FROM items WHERE job_id = $1 AND state IN (0, 1) ORDER BY host LIMIT 1)
                        UNION ALL
                        SELECT (SELECT i.host FROM items i WHERE i.job_id = $1 AND i.state IN (0, 1) AND i.host > w.host ORDER BY i.host LIMIT 1)
                        FROM hosts_with_work w WHERE w.host IS NOT NULL)
                    SELECT w.host, coalesce(h.not_before, 0), coalesce(h.not_before, 0) - {PostgresSchema.NowMilliseconds}, h.reason
                    FROM hosts_with_work w
                    LEFT JOIN hosts h ON h.job_id = $1 AND h.host = w.host
                    WHERE w.host IS NOT NULL AND NOT (w.host = ANY ($2))
                    ORDER BY coalesce(h.not_before, 0), w.host
                    LIMIT $3;
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = except.ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = limit });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                var now = Now();
                var hosts = new List<HostWork>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    // The pause is kept in the database's clock; the frontier keeps time by its own, so it gets the same delay.
                    var notBefore = reader.GetInt64(1) == 0 ? 0 : now + reader.GetInt64(2);
                    hosts.Add(new HostWork(reader.GetString(0), notBefore, reader.IsDBNull(3) ? null : reader.GetString(3)));
                }

                return hosts;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The lease lasts from the database's now for as long as <see cref="JournalClaim.Until"/> is ahead of the client's
    /// now; expiry is always judged by the database's clock.
    /// </remarks>
    public async Task<IReadOnlyList<JournalItem>> ClaimAsync(JournalClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    $"""
                    WITH picked AS (
                        SELECT id AS picked_id FROM items
                        WHERE job_id = $1 AND host = $2 AND state IN (0, 1) AND id > $3
                          AND (lease_owner IS NULL OR (lease_owner <> $4 AND lease_until < clock_timestamp()))
                        ORDER BY id LIMIT $5
                        FOR UPDATE SKIP LOCKED)
                    UPDATE items SET lease_owner = $4, lease_token = lease_token + 1,
                        lease_until = clock_timestamp() + $6 * interval '1 millisecond'
                    FROM picked WHERE id = picked_id
                    RETURNING {PostgresRows.Columns};
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = claim.Host });
                command.Parameters.Add(new NpgsqlParameter { Value = claim.AfterId });
                command.Parameters.Add(new NpgsqlParameter { Value = claim.Owner });
                command.Parameters.Add(new NpgsqlParameter { Value = claim.Limit });
                command.Parameters.Add(new NpgsqlParameter { Value = (double)Math.Clamp(claim.Until - Now(), 0, MaxLease) });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                var items = new List<JournalItem>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    items.Add(PostgresRows.Read(reader, Now()));
                }

                items.Sort(static (a, b) => a.Id.CompareTo(b.Id));
                return items;
            },
            cancellationToken,
            transient: false).ConfigureAwait(false);
    }
}
