using System.Data.Common;
using Haul.Fetching;

namespace Haul.Journal;

/// <summary>An item's row of the <c>items</c> table as a <see cref="JournalItem"/>: the columns to select, and how to read them.</summary>
internal static class ItemRows
{
    /// <summary>The columns <see cref="Read"/> expects, in order.</summary>
    public const string Columns = """
        id, url, kind, state, output_path, expected_sha256, attempts, last_reason, last_status, bytes, total_size, etag,
        last_modified, sha256, note, last_detail, file_modified, backup_path, host, not_before, source, seen_run, lease_token,
        chosen_path, referer, depth, barren, content_type
        """;

    /// <summary>Reads one row of <see cref="Columns"/>.</summary>
    public static JournalItem Read(DbDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Url = reader.GetString(1),
        Kind = (ItemKind)reader.GetInt32(2),
        State = (ItemState)reader.GetInt32(3),
        OutputPath = reader.IsDBNull(4) ? null : reader.GetString(4),
        ExpectedSha256 = reader.IsDBNull(5) ? null : reader.GetString(5),
        Attempts = reader.GetInt32(6),
        LastReason = reader.IsDBNull(7) ? FailureReason.None : FailureReasons.Parse(reader.GetString(7)),
        LastStatus = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        Bytes = reader.GetInt64(9),
        TotalSize = reader.IsDBNull(10) ? null : reader.GetInt64(10),
        ETag = reader.IsDBNull(11) ? null : reader.GetString(11),
        LastModified = reader.IsDBNull(12) ? null : reader.GetString(12),
        Sha256 = reader.IsDBNull(13) ? null : reader.GetString(13),
        Note = reader.IsDBNull(14) ? null : reader.GetString(14),
        LastDetail = reader.IsDBNull(15) ? null : reader.GetString(15),
        FileModified = reader.IsDBNull(16) ? null : reader.GetInt64(16),
        BackupPath = reader.IsDBNull(17) ? null : reader.GetString(17),
        Host = reader.GetString(18),
        NotBefore = reader.GetInt64(19),
        Source = reader.IsDBNull(20) ? null : reader.GetString(20),
        SeenRun = reader.GetInt64(21),
        LeaseToken = reader.GetInt64(22),
        ChosenPath = reader.IsDBNull(23) ? null : reader.GetString(23),
        Referer = reader.IsDBNull(24) ? null : reader.GetString(24),
        Depth = reader.GetInt32(25),
        Barren = reader.GetInt32(26),
        ContentType = reader.IsDBNull(27) ? null : reader.GetString(27),
    };
}
