using Haul.Input;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>The crawling side of the journal's writes: what pages found, a page's output path, and failed items reopened.</summary>
public sealed partial class SqliteJobJournal
{
    /// <inheritdoc/>
    public async Task<FoundResult> RecordFoundAsync(PageFindings findings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findings);

        // The page's own updates (started, its attempts) go first, so that its end is written after them.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _connection.BeginTransaction();
            _claims.Transaction = transaction;
            using var adder = new ItemAdder(_connection, transaction, _claims, _run, Now(), null);
            using var recordFound = _connection.CreateCommand();
            recordFound.Transaction = transaction;
            recordFound.CommandText = "INSERT INTO found (image_id, page_id, alt) VALUES ($image, $page, $alt) ON CONFLICT DO NOTHING;";
            recordFound.Parameters.Add("$image", SqliteType.Integer);
            recordFound.Parameters.Add("$page", SqliteType.Integer);
            recordFound.Parameters.Add("$alt", SqliteType.Text);
            var newPages = 0;
            var newFiles = new List<string>();
            foreach (var item in findings.Items)
            {
                if (await adder.AddFoundAsync(item, findings.PageId, recordFound, cancellationToken).ConfigureAwait(false))
                {
                    if (item.Kind == ItemKind.Page)
                    {
                        newPages++;
                    }
                    else
                    {
                        newFiles.Add(item.Url.AbsoluteUri);
                    }
                }
            }

            await adder.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await InsertSkippedAsync(transaction, await NotItemsAsync(transaction, findings.Skipped, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (findings.Finish is { } finish)
            {
                using var writer = new UpdateWriter(_connection, transaction, Now());
                await writer.WriteAsync(finish).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new FoundResult(newPages, newFiles);
        }
        catch (SqliteException exception)
        {
            // Like a batch that cannot be written: nothing of it is committed, and the job stops rather than fail the page.
            await FailAsync(exception).ConfigureAwait(false);
            throw new JournalWriteException(exception.Message, exception);
        }
        finally
        {
            _claims.Transaction = null;
            _gate.Release();
        }
    }

    /// <summary>The entries whose URL the job does not have as an item: a link cut by a rule here may have been taken elsewhere.</summary>
    private async Task<IReadOnlyList<SkippedInput>> NotItemsAsync(
        SqliteTransaction transaction, IReadOnlyList<SkippedInput> skipped, CancellationToken cancellationToken)
    {
        if (skipped.Count == 0)
        {
            return skipped;
        }

        using var find = _connection.CreateCommand();
        find.Transaction = transaction;
        find.CommandText = "SELECT 1 FROM items WHERE url = $url;";
        var url = find.Parameters.Add("$url", SqliteType.Text);
        var kept = new List<SkippedInput>(skipped.Count);
        foreach (var entry in skipped)
        {
            url.Value = Uri.TryCreate(entry.Text, UriKind.Absolute, out var uri) ? UrlNormalizer.Normalize(uri) : entry.Text;
            if (await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                kept.Add(entry);
            }
        }

        return kept;
    }

    /// <inheritdoc/>
    public async Task<string> ClaimOutputPathAsync(long itemId, string path, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _connection.BeginTransaction();
            _claims.Transaction = transaction;
            using var read = _connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "SELECT url, output_path FROM items WHERE id = $id;";
            read.Parameters.AddWithValue("$id", itemId);
            string url;
            using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
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

            var claimed = await _claims.ClaimAsync(path, url, cancellationToken).ConfigureAwait(false);
            using var update = _connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = "UPDATE items SET output_path = $path, path_key = $key WHERE id = $id;";
            update.Parameters.AddWithValue("$path", claimed);
            update.Parameters.AddWithValue("$key", SqliteSchema.PathKey(claimed));
            update.Parameters.AddWithValue("$id", itemId);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return claimed;
        }
        finally
        {
            _claims.Transaction = null;
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<int> ReopenFailedAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            // Also the items a run's own circumstances skipped: the page limit (a rerun may allow more) and a robots.txt
            // that could not be read (it may be readable now). robots.txt's rules and the filters are asked again anyway.
            command.CommandText = "UPDATE items SET state = 0, not_before = 0 WHERE state = 3 OR (state = 4 AND note IN ('max-pages', 'robots-unavailable'));";
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
