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
            command.CommandText = "SELECT name, value, domain, path, host_only, secure, http_only, expires, created FROM cookies ORDER BY created;";
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                cookies.Add(new StoredCookie(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetBoolean(4),
                    reader.GetBoolean(5),
                    reader.GetBoolean(6),
                    reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8))));
            }

            return cookies;
        }
        finally
        {
            _gate.Release();
        }
    }
}
