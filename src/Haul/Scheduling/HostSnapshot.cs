namespace Haul.Scheduling;

/// <summary>A host's queue and limits at one moment.</summary>
/// <param name="Host">The host.</param>
/// <param name="Queued">Items waiting.</param>
/// <param name="Active">Items being fetched.</param>
/// <param name="PausedFor">How long the host is still left alone, if it pushed back.</param>
/// <param name="QueuedPages">Of <paramref name="Queued"/>, the pages of a crawl.</param>
/// <param name="ActivePages">Of <paramref name="Active"/>, the pages of a crawl.</param>
public sealed record HostSnapshot(string Host, int Queued, int Active, TimeSpan? PausedFor, int QueuedPages = 0, int ActivePages = 0)
{
    /// <summary>How the host is treated now.</summary>
    public HostMode Mode { get; init; }

    /// <summary>Why the host is paused (<c>ban</c>, or the failure reason that paused it); null when it is not.</summary>
    public string? PauseReason { get; init; }

    /// <summary>Requests started in about the last second.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Requests a second the host is held to after it pushed back; null when it is not held.</summary>
    public double? RateLimit { get; init; }

    /// <summary>Attempts of the host allowed at once now.</summary>
    public int Concurrency { get; init; }

    /// <summary>The push-back the host showed in this run.</summary>
    public HostEvents Events { get; init; } = HostEvents.None;
}
