using System.Globalization;
using Haul.Fetching;
using Haul.Input;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>The reading side of the journal: aggregates, and items and skipped entries streamed page by page.</summary>
public sealed partial class SqliteJobJournal
{
    /// <inheritdoc/>
    public async Task<JournalCounts> ReadCountsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var counts = new JournalCounts();
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT state, items, bytes FROM counts;";
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    counts.Add((ItemState)reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2));
                }
            }

            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT last_reason, COUNT(*) FROM items WHERE state = 3 GROUP BY last_reason;";
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    counts.FailuresByReason[reader.IsDBNull(0) ? FailureReason.Unknown : FailureReasons.Parse(reader.GetString(0))] = reader.GetInt32(1);
                }
            }

            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT state, COUNT(*) FROM items WHERE kind = 1 GROUP BY state;";
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    counts.AddPages((ItemState)reader.GetInt32(0), reader.GetInt32(1));
                }
            }

            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT (SELECT COUNT(*) FROM skipped), (SELECT COUNT(*) FROM items WHERE backup_path IS NOT NULL AND state = 2);";
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                counts.SkippedEntries = reader.GetInt32(0);
                counts.Backups = reader.GetInt32(1);
            }

            return counts;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<JournalItem> ReadItemsAsync(ItemState state, bool withBackupOnly, CancellationToken cancellationToken) =>
        ReadPagedAsync(
            $"""
            SELECT {ItemRows.Columns} FROM items
            WHERE {(withBackupOnly ? "backup_path IS NOT NULL AND " : string.Empty)}state = $state AND id > $after
            ORDER BY id LIMIT $limit;
            """,
            parameters => parameters.AddWithValue("$state", (int)state),
            ItemRows.Read,
            cancellationToken);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<JournalItem>> ReadItemsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadAllAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AttemptRecord>> ReadAttemptsAsync(long itemId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT started_at, elapsed_ms, reason, status, range_start, bytes, detail FROM attempts WHERE item_id = $id ORDER BY rowid;";
            command.Parameters.AddWithValue("$id", itemId);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var attempts = new List<AttemptRecord>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                attempts.Add(new AttemptRecord(
                    DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                    TimeSpan.FromMilliseconds(reader.GetInt64(1)),
                    FailureReasons.Parse(reader.GetString(2)),
                    reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    reader.GetInt64(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }

            return attempts;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SkippedInput> ReadSkippedAsync(CancellationToken cancellationToken) =>
        ReadPagedAsync(
            "SELECT id, entry, source, rule FROM skipped WHERE id > $after ORDER BY id LIMIT $limit;",
            null,
            reader => new SkippedInput(reader.GetString(1), reader.GetString(2), reader.GetString(3)),
            cancellationToken);

    private async Task<List<JournalItem>> ReadAllAsync(CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {ItemRows.Columns} FROM items ORDER BY id;";
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<JournalItem>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(ItemRows.Read(reader));
        }

        return items;
    }
}
