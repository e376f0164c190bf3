using System.Data.Common;

namespace Haul.Journal.Postgres;

/// <summary>
/// An item's row as the PostgreSQL journal reads it: <see cref="ItemRows.Columns"/> and the delay until its not-before
/// time by the database's clock, which becomes a time by the client's, and the folder holding its file.
/// </summary>
internal static class PostgresRows
{
    /// <summary>The columns <see cref="Read"/> expects, in order.</summary>
    public const string Columns = ItemRows.Columns + ", not_before - " + PostgresSchema.NowMilliseconds + ", holder";

    /// <summary>Reads one row of <see cref="Columns"/>; <paramref name="clientNow"/> is the client's now, Unix milliseconds.</summary>
    public static JournalItem Read(DbDataReader reader, long clientNow)
    {
        var item = ItemRows.Read(reader) with { Holder = reader.IsDBNull(29) ? null : reader.GetString(29) };
        return item.NotBefore == 0 ? item : item with { NotBefore = clientNow + reader.GetInt64(28) };
    }
}
