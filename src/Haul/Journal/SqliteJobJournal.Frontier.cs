using System.Globalization;
using System.Runtime.CompilerServices;
using Haul.Fetching;
using Haul.Input;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>The frontier side of the journal: which hosts have work, and claims of their items.</summary>
public sealed partial class SqliteJobJournal
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<HostWork>> ReadHostsWithWorkAsync(int limit, IReadOnlySet<string> except, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT host, not_before, reason FROM hosts WHERE pending > 0 ORDER BY not_before LIMIT $limit;";
            command.Parameters.AddWithValue("$limit", limit + except.Count);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var hosts = new List<HostWork>();
            while (hosts.Count < limit && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var host = reader.GetString(0);
                if (!except.Contains(host))
                {
                    hosts.Add(new HostWork(host, reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
                }
            }

            return hosts;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<JournalItem>> ClaimAsync(JournalClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"""
                UPDATE items SET lease_owner = $owner, lease_token = lease_token + 1, lease_until = $until
                WHERE id IN (
                    SELECT id FROM items
                    WHERE host = $host AND state = 0 AND id > $after
                      AND (lease_owner IS NULL OR (lease_owner <> $owner AND lease_until < $now))
                    ORDER BY id LIMIT $limit)
                RETURNING {ItemRows.Columns};
                """;
            command.Parameters.AddWithValue("$owner", claim.Owner);
            command.Parameters.AddWithValue("$until", claim.Until);
            command.Parameters.AddWithValue("$host", claim.Host);
            command.Parameters.AddWithValue("$after", claim.AfterId);
            command.Parameters.AddWithValue("$limit", claim.Limit);
            command.Parameters.AddWithValue("$now", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var items = new List<JournalItem>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(ItemRows.Read(reader));
            }

            items.Sort(static (a, b) => a.Id.CompareTo(b.Id));
            return items;
        }
        finally
        {
            _gate.Release();
        }
    }
}
