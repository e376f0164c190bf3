namespace Haul.Scheduling;

/// <summary>How a host is being treated now, as the live view and the report show it.</summary>
public enum HostMode
{
    /// <summary>At full speed: no limit of its own beyond the job's.</summary>
    Running,

    /// <summary>Held to a request rate the host is known to tolerate, after it pushed back.</summary>
    Slowed,

    /// <summary>No request starts until the pause ends (a Retry-After, a 429 or 503, resets).</summary>
    Paused,

    /// <summary>Paused after a ban (connections reset at connect, many in a row).</summary>
    Banned,

    /// <summary>After a ban: one request at a time until one succeeds.</summary>
    Probing,
}
