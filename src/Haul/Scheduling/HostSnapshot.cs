namespace Haul.Scheduling;

/// <summary>A host's queue at one moment.</summary>
/// <param name="Host">The host.</param>
/// <param name="Queued">Items waiting.</param>
/// <param name="Active">Items being fetched.</param>
/// <param name="PausedFor">How long the host is still left alone, if it pushed back.</param>
/// <param name="QueuedPages">Of <paramref name="Queued"/>, the pages of a crawl.</param>
/// <param name="ActivePages">Of <paramref name="Active"/>, the pages of a crawl.</param>
public sealed record HostSnapshot(string Host, int Queued, int Active, TimeSpan? PausedFor, int QueuedPages = 0, int ActivePages = 0);
