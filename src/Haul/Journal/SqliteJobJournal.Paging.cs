using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>Streaming reads: a table read by id, a page at a time, the gate held only while a page is read.</summary>
public sealed partial class SqliteJobJournal
{
    /// <summary>Rows read at once by a streaming read.</summary>
    private const int PageSize = 1000;

    /// <summary>
    /// Streams the rows of <paramref name="sql"/>, which selects rows whose id is greater than <c>$after</c>, in id order,
    /// at most <c>$limit</c> of them, with the id as its first column; so a long report never stalls the writer and
    /// never holds more than a page in memory.
    /// </summary>
    private async IAsyncEnumerable<T> ReadPagedAsync<T>(
        string sql, Action<SqliteParameterCollection>? bind, Func<SqliteDataReader, T> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var page = new List<T>(PageSize);
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var command = _connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.AddWithValue("$after", after);
                command.Parameters.AddWithValue("$limit", PageSize);
                bind?.Invoke(command.Parameters);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    after = reader.GetInt64(0);
                    page.Add(read(reader));
                }
            }
            finally
            {
                _gate.Release();
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
