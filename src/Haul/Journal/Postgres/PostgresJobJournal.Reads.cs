using System.Data.Common;
using System.Runtime.CompilerServices;
using Haul.Fetching;
using Haul.Identity;
using Haul.Input;
using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>The reading side of the journal: totals, and items and skipped entries streamed page by page.</summary>
public sealed partial class PostgresJobJournal
{
    /// <summary>Rows read at once by a streaming read.</summary>
    private const int PageSize = 1000;

    /// <inheritdoc/>
    /// <remarks>Totals are aggregated from the job's items by index (no counter rows that every worker would contend on).</remarks>
    public async Task<JournalCounts> ReadCountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command("SELECT state, count(*)::int, coalesce(sum(bytes), 0)::bigint FROM items WHERE job_id = $1 GROUP BY state;"),
                Command("SELECT last_reason, count(*)::int FROM items WHERE job_id = $1 AND state = 3 GROUP BY last_reason;"),
                Command("SELECT state, count(*)::int FROM items WHERE job_id = $1 AND kind = 1 GROUP BY state;"),
                Command("""
                    SELECT (SELECT count(*)::int FROM skipped WHERE job_id = $1),
                           (SELECT count(*)::int FROM items WHERE job_id = $1 AND backup_path IS NOT NULL AND state = 2);
                    """),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var counts = new JournalCounts();
        foreach (var state in Enum.GetValues<ItemState>())
        {
            counts.Add(state, 0, 0);
        }

        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts.Add((ItemState)reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts.FailuresByReason[reader.IsDBNull(0) ? FailureReason.Unknown : FailureReasons.Parse(reader.GetString(0))] = reader.GetInt32(1);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts.AddPages((ItemState)reader.GetInt32(0), reader.GetInt32(1));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        counts.SkippedEntries = reader.GetInt32(0);
        counts.Backups = reader.GetInt32(1);
        return counts;

        NpgsqlBatchCommand Command(string sql) => new(sql) { Parameters = { new NpgsqlParameter { Value = JobId } } };
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<JournalItem> ReadItemsAsync(ItemState state, bool withBackupOnly, CancellationToken cancellationToken) =>
        ReadPagedAsync(
            $"""
            SELECT {PostgresRows.Columns} FROM items
            WHERE job_id = $1 AND {(withBackupOnly ? "backup_path IS NOT NULL AND " : string.Empty)}state = $4 AND id > $2
            ORDER BY id LIMIT $3;
            """,
            [(int)state],
            ReadItem,
            cancellationToken);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<JournalItem>> ReadItemsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT {PostgresRows.Columns} FROM items WHERE job_id = $1 ORDER BY id;", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = JobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<JournalItem>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(ReadItem(reader));
        }

        return items;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AttemptRecord>> ReadAttemptsAsync(long itemId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.started_at, a.elapsed_ms, a.reason, a.status, a.range_start, a.bytes, a.detail
            FROM attempts a JOIN items i ON i.id = a.item_id
            WHERE a.item_id = $1 AND i.job_id = $2 ORDER BY a.id;
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = itemId });
        command.Parameters.Add(new NpgsqlParameter { Value = JobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var attempts = new List<AttemptRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            attempts.Add(new AttemptRecord(
                reader.GetFieldValue<DateTimeOffset>(0),
                TimeSpan.FromMilliseconds(reader.GetInt64(1)),
                FailureReasons.Parse(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return attempts;
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SkippedInput> ReadSkippedAsync(CancellationToken cancellationToken) =>
        ReadPagedAsync(
            "SELECT id, entry, source, rule FROM skipped WHERE job_id = $1 AND id > $2 ORDER BY id LIMIT $3;",
            [],
            reader => new SkippedInput(reader.GetString(1), reader.GetString(2), reader.GetString(3)),
            cancellationToken);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredCookie>> ReadCookiesAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT {CookieRows.Columns} FROM cookies WHERE job_id = $1 ORDER BY created;",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = JobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var cookies = new List<StoredCookie>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            cookies.Add(CookieRows.Read(reader));
        }

        return cookies;
    }

    private JournalItem ReadItem(DbDataReader reader) => PostgresRows.Read(reader, Now());

    /// <summary>
    /// Streams the rows of <paramref name="sql"/>, which selects the job's (<c>$1</c>) rows whose id is greater than
    /// <c>$2</c>, in id order, at most <c>$3</c> of them, with the id as its first column; more parameters follow as
    /// <c>$4</c>…. A connection is held only while a page is read.
    /// </summary>
    private async IAsyncEnumerable<T> ReadPagedAsync<T>(
        string sql, object[] more, Func<DbDataReader, T> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var page = new List<T>(PageSize);
            await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var command = new NpgsqlCommand(sql, connection))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = JobId });
                command.Parameters.Add(new NpgsqlParameter { Value = after });
                command.Parameters.Add(new NpgsqlParameter { Value = PageSize });
                foreach (var value in more)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = value });
                }

                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    after = reader.GetInt64(0);
                    page.Add(read(reader));
                }
            }

            foreach (var row in page)
            {
                yield return row;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }
        }
    }
}
