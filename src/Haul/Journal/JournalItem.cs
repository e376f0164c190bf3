using Haul.Fetching;

namespace Haul.Journal;

/// <summary>One item of a job as the journal knows it.</summary>
public sealed record JournalItem
{
    /// <summary>The journal's key for the item.</summary>
    public required long Id { get; init; }

    /// <summary>The URL, as given (for a skipped entry, the text that was skipped).</summary>
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

    /// <summary>The last HTTP status seen.</summary>
    public int? LastStatus { get; init; }

    /// <summary>Bytes of the finished file.</summary>
    public long Bytes { get; init; }

    /// <summary>The file's full size, as the server announced it.</summary>
    public long? TotalSize { get; init; }

    /// <summary>The strong ETag of the bytes in the partial file.</summary>
    public string? ETag { get; init; }

    /// <summary>The Last-Modified of the bytes in the partial file, as sent.</summary>
    public string? LastModified { get; init; }

    /// <summary>SHA-256 (lowercase hex) of the file written.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Where it came from in the input, for skipped items; or the rule that skipped it.</summary>
    public string? Note { get; init; }
}
