using Haul.Input;
using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>The crawling side of the journal: what pages found, a page's output path, failed items reopened, and the crawl's reads.</summary>
public sealed partial class PostgresJobJournal
{
    /// <inheritdoc/>
    public async Task<FoundResult> RecordFoundAsync(PageFindings findings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findings);

        // The page's own updates (started, its attempts) go first, so that its end is written after them.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var adder = await PostgresItemAdder.StartAsync(connection, transaction, JobId, Run, Now(), null, cancellationToken).ConfigureAwait(false);
            var added = await adder.AddFoundAsync(findings.Items, findings.PageId, cancellationToken).ConfigureAwait(false);
            await adder.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await InsertSkippedAsync(connection, transaction, await NotItemsAsync(connection, transaction, findings.Skipped, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (findings.Finish is { } finish)
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                PostgresUpdateWriter.Add(batch, finish, JobId, Now(), (_owner, Holder));
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new FoundResult(added.Count(i => i.Kind == ItemKind.Page), [.. added.Where(i => i.Kind == ItemKind.File).Select(i => i.Url.AbsoluteUri)]);
        }
        catch (NpgsqlException exception)
        {
            // Like a batch that cannot be written: nothing of it is committed, and the job stops rather than fail the page.
            await FailAsync(exception).ConfigureAwait(false);
            throw new JournalWriteException(exception.Message, exception);
        }
    }

    /// <summary>The entries whose URL the job does not have as an item: a link cut by a rule here may have been taken elsewhere.</summary>
    private async Task<IReadOnlyList<SkippedInput>> NotItemsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<SkippedInput> skipped, CancellationToken cancellationToken)
    {
        if (skipped.Count == 0)
        {
            return skipped;
        }

        var urls = skipped.Select(entry => Uri.TryCreate(entry.Text, UriKind.Absolute, out var uri) ? UrlNormalizer.Normalize(uri) : entry.Text).ToArray();
        var items = await ExistingAsync(connection, transaction, urls, cancellationToken).ConfigureAwait(false);
        return [.. skipped.Where((_, i) => !items.Contains(urls[i]))];
    }

    private async Task<HashSet<string>> ExistingAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string[] urls, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand("SELECT url FROM items WHERE job_id = $1 AND url = ANY ($2);", connection, transaction);
        find.Parameters.Add(new NpgsqlParameter { Value = JobId });
        find.Parameters.Add(new NpgsqlParameter { Value = urls });
        await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var found = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    /// <inheritdoc/>
    public async Task<string> ClaimOutputPathAsync(long itemId, string path, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await PostgresItemAdder.LockJobAsync(connection, transaction, JobId, cancellationToken).ConfigureAwait(false);
        string url;
        await using (var read = new NpgsqlCommand("SELECT url, output_path FROM items WHERE id = $1 AND job_id = $2;", connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = itemId });
            read.Parameters.Add(new NpgsqlParameter { Value = JobId });
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"no item {itemId} in the journal");
            }

            if (!reader.IsDBNull(1))
            {
                return reader.GetString(1);
            }

            url = reader.GetString(0);
        }

        var claims = new PostgresPathClaims(connection, transaction, JobId);
        var claimed = await claims.ClaimAsync(path, url, cancellationToken).ConfigureAwait(false);
        await claims.FlushAsync(cancellationToken).ConfigureAwait(false);
        await using (var update = new NpgsqlCommand("UPDATE items SET output_path = $1, path_key = $2 WHERE id = $3 AND job_id = $4;", connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = claimed });
            update.Parameters.Add(new NpgsqlParameter { Value = SqliteSchema.PathKey(claimed) });
            update.Parameters.Add(new NpgsqlParameter { Value = itemId });
            update.Parameters.Add(new NpgsqlParameter { Value = JobId });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return claimed;
    }

    /// <inheritdoc/>
    public async Task<int> ReopenFailedAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "UPDATE items SET state = 0, not_before = 0 WHERE job_id = $1 AND (state = 3 OR (state = 4 AND note IN ('max-pages', 'robots-unavailable')));",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = JobId });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<JournalItem> ReadNotedPagesAsync(CancellationToken cancellationToken) =>
        ReadPagedAsync(
            $"SELECT {PostgresRows.Columns} FROM items WHERE job_id = $1 AND kind = 1 AND state = 2 AND note IS NOT NULL AND id > $2 ORDER BY id LIMIT $3;",
            [],
            ReadItem,
            cancellationToken);

    /// <inheritdoc/>
    public async Task<int> CountNewAsync(IReadOnlyList<Uri> urls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count == 0)
        {
            return 0;
        }

        var normal = urls.Select(UrlNormalizer.Normalize).ToArray();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var existing = await ExistingAsync(connection, null, normal, cancellationToken).ConfigureAwait(false);
        return normal.Count(u => !existing.Contains(u));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ReadStartPagesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT url FROM items WHERE job_id = $1 AND kind = 1 AND depth = 0 ORDER BY id;", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = JobId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var urls = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            urls.Add(reader.GetString(0));
        }

        return urls;
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SavedImage> ReadFoundImagesAsync(CancellationToken cancellationToken) =>
        ReadPagedAsync(
            """
            SELECT i.id, i.url, i.output_path, i.bytes, i.sha256, i.content_type,
                   (SELECT '[' || string_agg(json_build_object('url', p.url, 'alt', p.alt)::text, ',' ORDER BY p.id) || ']' FROM (
                      SELECT pg.id AS id, pg.url AS url, f.alt AS alt FROM found f JOIN items pg ON pg.id = f.page_id
                      WHERE f.image_id = i.id ORDER BY pg.id LIMIT $4) p),
                   (SELECT count(*)::int FROM found f WHERE f.image_id = i.id), i.holder
            FROM items i
            WHERE i.job_id = $1 AND i.kind = 0 AND i.state = 2 AND i.id > $2
            ORDER BY i.id LIMIT $3;
            """,
            [SavedImage.MaxPagesListed],
            reader => new SavedImage(
                reader.GetString(1),
                reader.IsDBNull(2) ? string.Empty : reader.GetString(2),
                reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? "[]" : reader.GetString(6),
                reader.GetInt32(7))
            {
                Folder = reader.IsDBNull(8) ? null : reader.GetString(8),
            },
            cancellationToken);
}
