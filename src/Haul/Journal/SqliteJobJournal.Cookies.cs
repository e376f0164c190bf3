using Haul.Identity;

namespace Haul.Journal;

/// <summary>The job's cookie jar as the journal keeps it: written through by <see cref="CookieStored"/> and <see cref="CookieDeleted"/>.</summary>
public sealed partial class SqliteJobJournal
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredCookie>> ReadCookiesAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cookies = new List<StoredCookie>();
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT {CookieRows.Columns} FROM cookies ORDER BY created;";
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                cookies.Add(CookieRows.Read(reader));
            }

            return cookies;
        }
        finally
        {
            _gate.Release();
        }
    }
}
