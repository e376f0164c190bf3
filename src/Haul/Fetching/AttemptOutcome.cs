namespace Haul.Fetching;

/// <summary>How one attempt ended.</summary>
internal sealed record AttemptOutcome
{
    public FailureReason Reason { get; init; }

    /// <summary>What the reason alone does not say, e.g. <c>Permission denied</c> or <c>certificate expired</c>.</summary>
    public string? Detail { get; init; }

    public int? Status { get; init; }

    /// <summary>The wait the server asked for (Retry-After), already converted from a date where needed.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public long? RangeStart { get; init; }

    public long BytesReceived { get; init; }

    /// <summary>The size of the finished file.</summary>
    public long FileSize { get; init; }

    /// <summary>SHA-256 of the finished file.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The finished file's modification time at its final path, UTC ticks.</summary>
    public long? FileModified { get; init; }

    /// <summary>Where a different file found at the final path was kept, relative to the output folder.</summary>
    public string? BackupPath { get; init; }

    /// <summary>Set when a transient reason must not be retried, e.g. a Retry-After beyond the item's budget.</summary>
    public bool GiveUp { get; init; }

    /// <summary>A redirect to another host: the chain goes on there, admitted by that host's limits.</summary>
    public Uri? RedirectTo { get; init; }

    /// <summary>The media type of a body received whole, e.g. <c>image/jpeg</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>Hedged range requests the attempt opened because its body stalled (each on a new connection).</summary>
    public int Hedges { get; init; }

    /// <summary>The response headers came far later than the host's norm (see <see cref="HostReadStats"/>).</summary>
    public bool SlowResponse { get; init; }

    /// <summary>Of <see cref="Hedges"/>, those whose body replaced the stalled one and carried the attempt on.</summary>
    public int HedgesWon { get; init; }

    /// <summary>The rule that ends the item as skipped rather than done or failed (a crawl's filter), or null.</summary>
    internal string? SkippedBy { get; init; }

    /// <summary>
    /// The attempt failed at a proxy of a list, or never left Haul because every proxy was set aside: not the item's
    /// doing, so it does not count against its tries. Its time budget still bounds it.
    /// </summary>
    internal bool Uncounted { get; init; }

    /// <summary>In a shared journal, another worker took the item over (this one's lease expired): nothing of it is recorded.</summary>
    internal bool LeaseLost { get; init; }

    /// <summary>The item's end is already in the journal (a page, recorded with what it found).</summary>
    internal bool Recorded { get; init; }

    /// <summary>Whether the attempt ended with the body verified, and no redirect left to follow.</summary>
    public bool Succeeded => Reason == FailureReason.None && RedirectTo is null;

    public bool ShouldRetry => !Succeeded && !GiveUp && FailureReasons.IsTransient(Reason);
}
