namespace Haul.Scheduling;

/// <summary>
/// The per-host limits on starting attempts that are not a queue's pause: each host's <see cref="HostController"/>
/// (its adaptive rate and concurrency, robots.txt's Crawl-delay, the job's <see cref="FrontierOptions.HostGap"/>, drawn
/// around with <see cref="FrontierOptions.GapJitter"/>), and, with <see cref="FrontierOptions.ProbeNewHosts"/>, one
/// attempt at a time until the host is cleared. A controller that learned nothing is forgotten with its host, so that
/// memory stays flat in the number of hosts. Not thread-safe: the <see cref="Frontier"/> calls it under its lock.
/// </summary>
internal sealed class HostPacing
{
    private readonly FrontierOptions _options;
    private readonly Dictionary<string, HostController> _controllers = new(StringComparer.Ordinal);

    /// <summary>With <see cref="FrontierOptions.ProbeNewHosts"/>: hosts that may run more than one attempt at once.</summary>
    private readonly HashSet<string> _cleared = new(StringComparer.Ordinal);

    public HostPacing(FrontierOptions options) => _options = options;

    /// <summary>Sets robots.txt's Crawl-delay (in milliseconds) for a host; 0 or less removes it.</summary>
    public void SetGap(string host, long milliseconds, long now)
    {
        var controller = Get(host);
        controller.CrawlDelay = Math.Max(0, milliseconds);
        if (milliseconds > 0)
        {
            // Set when the host's first request is about to start: the next may follow one gap later.
            controller.NextStart = Math.Max(controller.NextStart, now + milliseconds);
        }
    }

    /// <summary>Lets a host run up to its controller's concurrency at once; false when it already could.</summary>
    public bool Clear(string host) => _cleared.Add(host);

    /// <summary>Gives back the gap a host booked, so that its next request may start at once; false when it has none.</summary>
    public bool Refund(string host, long now)
    {
        if (!_controllers.TryGetValue(host, out var controller) || controller.NextStart <= now)
        {
            return false;
        }

        controller.NextStart = now;
        return true;
    }

    /// <summary>
    /// How many workers share each host's connections (a shared job's live workers; one otherwise): the host's limit is
    /// divided among them, each keeping at least one.
    /// </summary>
    public int Workers { get; set; } = 1;

    /// <summary>How many attempts of a host may run at once, from this worker.</summary>
    public int Limit(string host)
    {
        if (_options.ProbeNewHosts && !_cleared.Contains(host))
        {
            return 1;
        }

        var limit = _controllers.TryGetValue(host, out var controller) ? (controller.Probing ? 1 : controller.Concurrency) : _options.PerHostLimit;
        return Math.Max(1, limit / Workers);
    }

    /// <summary>
    /// Whether a request of <paramref name="host"/> may start at <paramref name="now"/>; if so it is counted and the
    /// next start is booked one gap later, if not <paramref name="nextStart"/> says when it may.
    /// </summary>
    public bool TryStart(string host, long now, out long nextStart)
    {
        nextStart = now;
        var controller = Get(host);
        if (controller.NextStart > now)
        {
            nextStart = controller.NextStart;
            return false;
        }

        var gap = controller.Gap;
        if (gap > 0 && _options.GapJitter is { } jitter)
        {
            gap = (long)(gap * jitter());
        }

        // The controller's rate is kept on its ideal timeline: the next start is booked from when this one was due, so
        // that timer lag does not lower the rate (a start later than a gap, after idling, is not made up). A wait the
        // user or robots.txt asked for is a least gap, kept from the start itself.
        var lag = now - controller.NextStart;
        controller.NextStart = controller.PacedByRate && lag > 0 && lag < gap ? controller.NextStart + gap : now + gap;
        controller.Started(now);
        return true;
    }

    /// <summary>What an attempt of <paramref name="host"/> showed; the pause the host must take, if any.</summary>
    public HostPause? Observe(string host, HostSignal signal, long started, long now, TimeSpan? retryAfter, string reason, int hedges, bool probe) =>
        signal == HostSignal.None && hedges == 0 ? null : Get(host).Observe(signal, started, now, retryAfter, reason, hedges, probe);

    /// <summary>
    /// What the workers sharing a host keep together: the least gap between starts the latest of them set (its
    /// controller adopts the rate; 0 for nothing to adopt), the requests all of them started in the last second, and
    /// whether this worker is the one that raises the rate, and whether the host showed noise to any of them.
    /// </summary>
    public void Share(string host, long gap, int lastSecond, bool leads, bool noiseShown, long now)
    {
        var controller = Get(host);
        controller.SharedSendRate = lastSecond;
        controller.Follows = !leads;
        controller.NoiseShown = noiseShown;
        if (gap > 0 && gap != controller.Gap)
        {
            controller.Adopt(1000.0 / gap, now);
        }
    }

    /// <summary>The host's controller, if it has one.</summary>
    public HostController? Find(string host) => _controllers.GetValueOrDefault(host);

    /// <summary>Every host that pushed back in this run, with what it did.</summary>
    public IEnumerable<(string Host, HostController Controller)> WithEvents() =>
        _controllers.Where(p => p.Value.Events.Any).Select(p => (p.Key, p.Value));

    /// <summary>Forgets a host that has no work in memory, unless its controller learned something.</summary>
    public void Forget(string host, long now)
    {
        if (_controllers.TryGetValue(host, out var controller) && controller.IsPristine && controller.NextStart <= now)
        {
            _controllers.Remove(host);
        }
    }

    private HostController Get(string host)
    {
        if (!_controllers.TryGetValue(host, out var controller))
        {
            controller = new HostController(_options);
            _controllers[host] = controller;
        }

        return controller;
    }
}
