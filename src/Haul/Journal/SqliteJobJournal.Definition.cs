namespace Haul.Journal;

/// <summary>The crawl options a folder's job keeps (<c>job.crawl</c>), so that a rerun crawls by the same ones.</summary>
public sealed partial class SqliteJobJournal
{
    /// <summary>
    /// The crawl options the job keeps: <paramref name="definition"/>, kept now, when the job has none yet (a new job,
    /// or a crawl of a Haul that kept none), else those kept by the run that first crawled into the folder.
    /// </summary>
    internal async Task<string> DefineCrawlAsync(string definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT OR IGNORE INTO job (id, crawl) VALUES (0, $crawl);
                SELECT crawl FROM job WHERE id = 0;
                """;
            command.Parameters.AddWithValue("$crawl", definition);
            return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        finally
        {
            _gate.Release();
        }
    }
}
