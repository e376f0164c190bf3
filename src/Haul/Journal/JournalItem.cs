using Haul.Fetching;

namespace Haul.Journal;

/// <summary>One item of a job as the journal knows it.</summary>
public sealed record JournalItem
{
    /// <summary>The journal's key for the item.</summary>
    public required long Id { get; init; }

    /// <summary>The URL, normalised.</summary>
    public required string Url { get; init; }

    /// <summary>File or page.</summary>
    public ItemKind Kind { get; init; }

    /// <summary>The item's state.</summary>
    public ItemState State { get; init; }

    /// <summary>The final path relative to the output folder, with '/' separators.</summary>
    public string? OutputPath { get; init; }

    /// <summary>The SHA-256 the input asked for.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>Attempts made over every run.</summary>
    public int Attempts { get; init; }

    /// <summary>The reason of the last failed attempt, or of the failure.</summary>
    public FailureReason LastReason { get; init; }

    /// <summary>What the last reason alone does not say, e.g. <c>Permission denied</c>.</summary>
    public string? LastDetail { get; init; }

    /// <summary>The last HTTP status seen.</summary>
    public int? LastStatus { get; init; }

    /// <summary>Bytes of the finished file, or of the verified file staged for the final path.</summary>
    public long Bytes { get; init; }

    /// <summary>The file's full size, as the server announced it.</summary>
    public long? TotalSize { get; init; }

    /// <summary>The strong ETag of the bytes in the partial file.</summary>
    public string? ETag { get; init; }

    /// <summary>The Last-Modified of the bytes in the partial file, as sent.</summary>
    public string? LastModified { get; init; }

    /// <summary>SHA-256 (lowercase hex) of the file written, or of the verified file staged for the final path.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The done file's modification time (UTC ticks) when Haul wrote it.</summary>
    public long? FileModified { get; init; }

    /// <summary>Where a different file found at the final path was kept, relative to the output folder.</summary>
    public string? BackupPath { get; init; }

    /// <summary>The host its politeness is counted against (<see cref="Input.UrlNormalizer.HostKey"/>).</summary>
    public string Host { get; init; } = string.Empty;

    /// <summary>Unix milliseconds before which the item must not start (a backoff or a server's Retry-After); 0 for none.</summary>
    public long NotBefore { get; init; }

    /// <summary>The input line that first named the item, e.g. <c>urls.txt:12</c>.</summary>
    public string? Source { get; init; }

    /// <summary>The last run whose input named the item.</summary>
    public long SeenRun { get; init; }

    /// <summary>The fencing token of the item's latest claim: finishing is accepted only under it.</summary>
    public long LeaseToken { get; init; }

    /// <summary>The output path the input asked for, before a suffix made it unique; null for the mirrored layout.</summary>
    public string? ChosenPath { get; init; }

    /// <summary>The page that first named the item (sent as its <c>Referer</c>, by the crawl's policy); null for input.</summary>
    public string? Referer { get; init; }

    /// <summary>Links followed from a start page to reach the item; 0 for a start page and for input.</summary>
    public int Depth { get; init; }

    /// <summary>For a page: how many pages in a row, ending with this one's parent, had no image (a trap's signature).</summary>
    public int Barren { get; init; }

    /// <summary>The media type the server gave the done file, e.g. <c>image/jpeg</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>The rule that skipped the item, for a skipped item; for a page read, what is worth reporting (empty, malformed, redirected).</summary>
    public string? Note { get; init; }

    /// <summary>
    /// In a journal many workers share: the folder (<c>machine:path</c>) of the worker that holds the done file; null in a
    /// folder's own journal, whose files are all in that folder.
    /// </summary>
    public string? Holder { get; init; }
}
