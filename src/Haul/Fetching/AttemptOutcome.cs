namespace Haul.Fetching;

/// <summary>How one attempt ended.</summary>
internal sealed record AttemptOutcome
{
    public FailureReason Reason { get; init; }

    public int? Status { get; init; }

    /// <summary>Why, in a few words, when <see cref="Reason"/> alone does not say it (e.g. <c>certificate expired</c>); else null.</summary>
    public string? Detail { get; init; }

    /// <summary>The wait the server asked for (Retry-After), already converted from a date where needed.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public long? RangeStart { get; init; }

    public long BytesReceived { get; init; }

    /// <summary>The size of the finished file.</summary>
    public long FileSize { get; init; }

    /// <summary>SHA-256 of the finished file.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Set when a transient reason must not be retried, e.g. a Retry-After beyond the item's budget.</summary>
    public bool GiveUp { get; init; }

    public bool Succeeded => Reason == FailureReason.None;

    public bool ShouldRetry => !Succeeded && !GiveUp && FailureReasons.IsTransient(Reason);
}
