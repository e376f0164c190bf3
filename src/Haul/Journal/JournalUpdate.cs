using Haul.Fetching;

namespace Haul.Journal;

/// <summary>A change to an item, written to the journal in batches.</summary>
public abstract record JournalUpdate(long ItemId);

/// <summary>The item's fetching began.</summary>
public sealed record ItemStarted(long ItemId) : JournalUpdate(ItemId);

/// <summary>A response announced the validators and size of the bytes now in the partial file.</summary>
public sealed record ValidatorsSeen(long ItemId, string? ETag, string? LastModified, long? TotalSize) : JournalUpdate(ItemId);

/// <summary>An attempt ended.</summary>
public sealed record AttemptFinished(long ItemId, AttemptRecord Attempt) : JournalUpdate(ItemId);

/// <summary>The item is at its final path, verified.</summary>
public sealed record ItemDone(long ItemId, long Bytes, string Sha256) : JournalUpdate(ItemId);

/// <summary>The item was given up.</summary>
public sealed record ItemFailed(long ItemId, FailureReason Reason, int? Status) : JournalUpdate(ItemId);
