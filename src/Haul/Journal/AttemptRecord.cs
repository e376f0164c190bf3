using Haul.Fetching;

namespace Haul.Journal;

/// <summary>One attempt at an item.</summary>
/// <param name="StartedAt">When it started.</param>
/// <param name="Elapsed">How long it took.</param>
/// <param name="Reason">Why it failed, or <see cref="FailureReason.None"/>.</param>
/// <param name="Status">The HTTP status, when a response arrived.</param>
/// <param name="RangeStart">The offset it resumed from, when it asked for a range.</param>
/// <param name="BytesReceived">Body bytes received.</param>
/// <param name="Detail">What the reason alone does not say, e.g. <c>Permission denied</c> or <c>certificate expired</c>.</param>
public sealed record AttemptRecord(
    DateTimeOffset StartedAt, TimeSpan Elapsed, FailureReason Reason, int? Status, long? RangeStart, long BytesReceived, string? Detail = null);
