using Haul.Fetching;

namespace Haul.Journal;

/// <summary>
/// A change to an item, written to the journal in batches. An update made under a claim carries the claim's lease token
/// (<see cref="JournalItem.LeaseToken"/>): a journal many workers share applies it to the item only while the item's
/// token is still that one, so a worker whose item was taken over changes nothing of it. Null: not guarded.
/// </summary>
public abstract record JournalUpdate(long ItemId);

/// <summary>The item's fetching began.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="LeaseToken">The claim it began under; null: not guarded.</param>
public sealed record ItemStarted(long ItemId, long? LeaseToken = null) : JournalUpdate(ItemId);

/// <summary>A response announced the validators and size of the bytes now in the partial file.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="ETag">The response's ETag.</param>
/// <param name="LastModified">The response's Last-Modified, as sent.</param>
/// <param name="TotalSize">The size of the whole file.</param>
/// <param name="LeaseToken">The claim it was seen under; null: not guarded.</param>
public sealed record ValidatorsSeen(long ItemId, string? ETag, string? LastModified, long? TotalSize, long? LeaseToken = null) : JournalUpdate(ItemId);

/// <summary>An attempt ended. Its record is history, kept whatever the claim; the item's counts change only under the claim.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Attempt">What the attempt was.</param>
/// <param name="LeaseToken">The claim it was made under; null: not guarded.</param>
public sealed record AttemptFinished(long ItemId, AttemptRecord Attempt, long? LeaseToken = null) : JournalUpdate(ItemId);

/// <summary>
/// A verified file is about to be renamed to the item's final path, with this size and SHA-256. Committed before the
/// rename, so that after a crash a file at the final path is adopted only when it matches this record.
/// </summary>
/// <param name="ItemId">The item.</param>
/// <param name="Bytes">The file's size.</param>
/// <param name="Sha256">The file's SHA-256, lowercase hex.</param>
/// <param name="LeaseToken">The claim it was staged under; null: not guarded.</param>
public sealed record ItemStaged(long ItemId, long Bytes, string Sha256, long? LeaseToken = null) : JournalUpdate(ItemId);

/// <summary>The item is at its final path, verified.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Bytes">The file's size.</param>
/// <param name="Sha256">The file's SHA-256, lowercase hex.</param>
/// <param name="FileModified">The file's modification time (UTC ticks), to notice later changes.</param>
/// <param name="BackupPath">Where a different file found at the final path was kept, relative to the output folder.</param>
/// <param name="LeaseToken">The claim it was done under; a newer claim's finish wins. Null: not guarded.</param>
/// <param name="ContentType">The media type the server gave it.</param>
/// <param name="Note">What else is worth reporting, e.g. that a page was empty.</param>
public sealed record ItemDone(
    long ItemId, long Bytes, string Sha256, long? FileModified = null, string? BackupPath = null, long? LeaseToken = null,
    string? ContentType = null, string? Note = null) : JournalUpdate(ItemId);

/// <summary>The item ends without being fetched, by a rule (robots.txt, a filter).</summary>
public sealed record ItemSkipped(long ItemId, string Rule, long? LeaseToken = null) : JournalUpdate(ItemId);

/// <summary>The item was given up.</summary>
public sealed record ItemFailed(long ItemId, FailureReason Reason, int? Status, string? Detail = null, long? LeaseToken = null) : JournalUpdate(ItemId);

/// <summary>A failed attempt put the item back in its host's queue, not to start before a time (a backoff or a Retry-After).</summary>
/// <param name="ItemId">The item.</param>
/// <param name="NotBefore">Unix milliseconds.</param>
/// <param name="LeaseToken">The claim it was deferred under; null: not guarded.</param>
public sealed record ItemDeferred(long ItemId, long NotBefore, long? LeaseToken = null) : JournalUpdate(ItemId);

/// <summary>A host asked to be left alone (429, 503, Retry-After) until a time; the pause outlives the run.</summary>
/// <param name="Host">The host key.</param>
/// <param name="NotBefore">Unix milliseconds.</param>
/// <param name="Reason">Why, e.g. <c>too-many-requests</c>.</param>
public sealed record HostPaused(string Host, long NotBefore, string Reason) : JournalUpdate(0)
{
    /// <summary>
    /// In a shared journal: how many of the host's first turns after this pause are probes, which a rate limit never
    /// refuses (after a pause the host asked for with Retry-After; 0 otherwise).
    /// </summary>
    public int Probes { get; init; }

    /// <summary>In a shared journal: the host refused a probe, so its push-back may be noise rather than a limit.</summary>
    public bool NoiseShown { get; init; }
}

/// <summary>A done item's file went missing or changed: it is fetched again.</summary>
public sealed record ItemReopened(long ItemId) : JournalUpdate(ItemId);
