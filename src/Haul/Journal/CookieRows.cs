using System.Data.Common;
using Haul.Identity;

namespace Haul.Journal;

/// <summary>A stored cookie as every journal's <c>cookies</c> table holds it: the columns, and the row read back.</summary>
internal static class CookieRows
{
    /// <summary>The columns <see cref="Read"/> expects, in its order.</summary>
    public const string Columns = "name, value, domain, path, host_only, secure, http_only, expires, created";

    /// <summary>The cookie of the current row of a query selecting <see cref="Columns"/>.</summary>
    public static StoredCookie Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetBoolean(4),
        reader.GetBoolean(5),
        reader.GetBoolean(6),
        reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)));
}
