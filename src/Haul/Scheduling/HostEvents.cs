namespace Haul.Scheduling;

/// <summary>The push-back a host showed in this run, and what Haul did about it.</summary>
/// <param name="Throttled">429 responses.</param>
/// <param name="Unavailable">503 responses.</param>
/// <param name="Refused">Connections reset or timed out before a response.</param>
/// <param name="Bans">Times a ban was recognized (resets at connect, many in a row) and waited out.</param>
/// <param name="Stalls">Bodies that stalled, those a hedged range request got past included.</param>
/// <param name="Slowdowns">Times the host's request rate was lowered.</param>
public sealed record HostEvents(int Throttled, int Unavailable, int Refused, int Bans, int Stalls, int Slowdowns)
{
    /// <summary>No event at all.</summary>
    public static HostEvents None { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Whether the host showed any push-back.</summary>
    public bool Any => Throttled + Unavailable + Refused + Bans + Stalls + Slowdowns > 0;
}
