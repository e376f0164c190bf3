namespace Haul.Scheduling;

/// <summary>
/// The per-host limits on starting attempts that are not a pause: a least gap between the starts of a host's requests
/// (the job's <see cref="FrontierOptions.HostGap"/>, or robots.txt's Crawl-delay when longer; drawn around it with
/// <see cref="FrontierOptions.GapJitter"/>), and, with <see cref="FrontierOptions.ProbeNewHosts"/>, one attempt at a
/// time until the host is cleared. Not thread-safe: the <see cref="Frontier"/> calls it under its lock.
/// </summary>
internal sealed class HostPacing
{
    private readonly FrontierOptions _options;

    /// <summary>Hosts with a least gap between the starts of their requests: the gap and the next start allowed.</summary>
    private readonly Dictionary<string, (long Gap, long NextStart)> _gaps = new(StringComparer.Ordinal);

    /// <summary>With <see cref="FrontierOptions.ProbeNewHosts"/>: hosts that may run more than one attempt at once.</summary>
    private readonly HashSet<string> _cleared = new(StringComparer.Ordinal);

    public HostPacing(FrontierOptions options) => _options = options;

    /// <summary>Sets the least gap (in milliseconds) between the starts of a host's requests; 0 or less removes it.</summary>
    public void SetGap(string host, long milliseconds, long now)
    {
        if (milliseconds <= 0)
        {
            _gaps.Remove(host);
        }
        else
        {
            // Set when the host's first request is about to start: the next may follow one gap later.
            var next = _gaps.TryGetValue(host, out var pacing) ? pacing.NextStart : 0;
            _gaps[host] = (milliseconds, Math.Max(next, now + milliseconds));
        }
    }

    /// <summary>Lets a host run up to <see cref="FrontierOptions.PerHostLimit"/> attempts at once; false when it already could.</summary>
    public bool Clear(string host) => _cleared.Add(host);

    /// <summary>Gives back the gap a host booked, so that its next request may start at once; false when it has no gap.</summary>
    public bool Refund(string host, long now)
    {
        if (!_gaps.TryGetValue(host, out var pacing))
        {
            return false;
        }

        _gaps[host] = (pacing.Gap, now);
        return true;
    }

    /// <summary>How many attempts of a host may run at once.</summary>
    public int Limit(string host) => _options.ProbeNewHosts && !_cleared.Contains(host) ? 1 : _options.PerHostLimit;

    /// <summary>
    /// Whether a request of <paramref name="host"/> may start at <paramref name="now"/>; if so the next start is booked
    /// one gap later, if not <paramref name="nextStart"/> says when it may.
    /// </summary>
    public bool TryStart(string host, long now, out long nextStart)
    {
        nextStart = now;
        var jobGap = (long)_options.HostGap.TotalMilliseconds;
        if (!_gaps.TryGetValue(host, out var pacing))
        {
            if (jobGap <= 0)
            {
                return true;
            }

            pacing = (0, 0);
        }

        if (pacing.NextStart > now)
        {
            nextStart = pacing.NextStart;
            return false;
        }

        var gap = Math.Max(pacing.Gap, jobGap);
        if (_options.GapJitter is { } jitter)
        {
            gap = (long)(gap * jitter());
        }

        _gaps[host] = (pacing.Gap, now + gap);
        return true;
    }
}
