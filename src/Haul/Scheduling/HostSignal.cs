namespace Haul.Scheduling;

/// <summary>What one attempt told about its host, as the <see cref="HostController"/> reads it.</summary>
internal enum HostSignal
{
    /// <summary>Nothing about the host: the attempt made no request, or failed on Haul's side.</summary>
    None,

    /// <summary>The host answered (any status but 429 and 503): it keeps up.</summary>
    Healthy,

    /// <summary>429 Too Many Requests.</summary>
    Throttled,

    /// <summary>503 Service Unavailable.</summary>
    Unavailable,

    /// <summary>No response: the connection was reset before one (a ban looks like many of these in a row).</summary>
    Refused,

    /// <summary>No response: the connection timed out. Push-back, but not a ban's signature: a slow or loaded host does it too.</summary>
    Unreachable,

    /// <summary>The host answered, then its body stalled.</summary>
    Stalled,

    /// <summary>The host answered, far later than it usually does: a sign of overload.</summary>
    Slow,
}
