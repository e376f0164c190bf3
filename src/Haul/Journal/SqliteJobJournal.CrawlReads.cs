using Haul.Input;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>The crawl's reads of the journal: pages with a note, URLs new to the job, start pages, and the images <c>images.jsonl</c> lists.</summary>
public sealed partial class SqliteJobJournal
{
    /// <inheritdoc/>
    public IAsyncEnumerable<JournalItem> ReadNotedPagesAsync(CancellationToken cancellationToken) =>
        ReadPagedAsync(
            $"SELECT {ItemRows.Columns} FROM items WHERE kind = 1 AND state = 2 AND note IS NOT NULL AND id > $after ORDER BY id LIMIT $limit;",
            null,
            ItemRows.Read,
            cancellationToken);

    /// <inheritdoc/>
    public async Task<int> CountNewAsync(IReadOnlyList<Uri> urls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count == 0)
        {
            return 0;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var find = _connection.CreateCommand();
            find.CommandText = "SELECT 1 FROM items WHERE url = $url;";
            var url = find.Parameters.Add("$url", SqliteType.Text);
            var count = 0;
            foreach (var uri in urls)
            {
                url.Value = UrlNormalizer.Normalize(uri);
                if (await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    count++;
                }
            }

            return count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ReadStartPagesAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT url FROM items WHERE kind = 1 AND depth = 0 ORDER BY id;";
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var urls = new List<string>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                urls.Add(reader.GetString(0));
            }

            return urls;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SavedImage> ReadFoundImagesAsync(CancellationToken cancellationToken) =>
        ReadPagedAsync(
            """
            SELECT i.id, i.url, i.output_path, i.bytes, i.sha256, i.content_type,
                   (SELECT json_group_array(json_object('url', url, 'alt', alt)) FROM (
                      SELECT p.url AS url, f.alt AS alt FROM found f JOIN items p ON p.id = f.page_id
                      WHERE f.image_id = i.id ORDER BY p.id LIMIT $pages)),
                   (SELECT COUNT(*) FROM found f WHERE f.image_id = i.id)
            FROM items i
            WHERE i.kind = 0 AND i.state = 2 AND i.id > $after
            ORDER BY i.id LIMIT $limit;
            """,
            parameters => parameters.AddWithValue("$pages", SavedImage.MaxPagesListed),
            reader => new SavedImage(
                reader.GetString(1),
                reader.IsDBNull(2) ? string.Empty : reader.GetString(2),
                reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? "[]" : reader.GetString(6),
                reader.GetInt32(7)),
            cancellationToken);
}
