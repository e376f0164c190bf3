namespace Haul.Scheduling;

/// <summary>A host's queue at one moment.</summary>
/// <param name="Host">The host.</param>
/// <param name="Queued">Items waiting.</param>
/// <param name="Active">Items being fetched.</param>
/// <param name="PausedFor">How long the host is still left alone, if it pushed back.</param>
public sealed record HostSnapshot(string Host, int Queued, int Active, TimeSpan? PausedFor);
