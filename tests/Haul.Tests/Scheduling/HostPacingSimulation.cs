using Haul.Scheduling;

namespace Haul.Tests.Scheduling;

/// <summary>
/// One host driven through <see cref="HostPacing"/> as the frontier drives it, on a clock the simulation moves a
/// millisecond at a time: up to the host's concurrency of requests in flight, each started when the pacing and the
/// host's pause allow (the frontier waking a few milliseconds late), reaching the host after a random latency and
/// answered after another; the host's answer is decided when the request arrives, as a server does.
/// </summary>
internal sealed class HostPacingSimulation(int seed, Func<long, HostSignal> host)
{
    private const string Host = "host";
    private readonly Random _random = new(seed);
    private readonly List<Flight> _flights = [];

    /// <summary>The pause a push-back announces (Retry-After).</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether the controller paces the host; without it, only pauses (Retry-After) are kept and the concurrency is fixed.</summary>
    public bool Paced { get; init; } = true;

    /// <summary>The most milliseconds a request takes each way, besides a late one now and then (at least one).</summary>
    public int Latency { get; init; } = 4;

    /// <summary>The share of requests and answers that come late, by 10 to 60 ms more.</summary>
    public double Spikes { get; init; } = 0.03;

    /// <summary>
    /// How often, on average, the whole process freezes (a garbage collection, a starved thread pool: client and host
    /// share it) in milliseconds; 0 for never. Nothing runs during a freeze, and what fell due in it happens at its end.
    /// </summary>
    public int FreezeEvery { get; init; }

    /// <summary>The most milliseconds a freeze lasts (at least a tenth of it).</summary>
    public int FreezeLength { get; init; } = 500;

    /// <summary>Milliseconds the process was frozen.</summary>
    public long Frozen { get; private set; }

    /// <summary>Requests answered healthy.</summary>
    public int Done { get; private set; }

    /// <summary>Milliseconds from the first request until <see cref="Done"/> reached the target.</summary>
    public long Elapsed { get; private set; }

    /// <summary>Requests that reached the host, by when they arrived (from the start) and whether they were pushed back.</summary>
    public List<(long Arrived, bool PushedBack)> Arrivals { get; } = [];

    /// <summary>The controller, once the run is over.</summary>
    public HostController? Controller { get; private set; }

    /// <summary>Runs until <paramref name="target"/> requests were answered healthy, or <paramref name="limitMilliseconds"/> passed.</summary>
    public HostPacingSimulation Run(int target, long limitMilliseconds)
    {
        var options = new FrontierOptions(4, 64, 16, "test", TimeSpan.FromMinutes(1)) { Random = _random.NextDouble };
        var pacing = new HostPacing(options);
        const long start = 1_000_000;
        var pausedUntil = 0L;
        var wake = start;
        var thawed = start;
        for (var now = start; now < start + limitMilliseconds && Done < target; now++)
        {
            if (now < thawed)
            {
                continue;
            }

            if (FreezeEvery > 0 && _random.NextDouble() < 1.0 / FreezeEvery)
            {
                thawed = now + _random.Next(FreezeLength / 10, FreezeLength + 1);
                Frozen += thawed - now;
                continue;
            }

            foreach (var flight in _flights.Where(f => f.Arrives <= now && !f.Arrived))
            {
                flight.Arrived = true;
                flight.Signal = host(now - start);
                Arrivals.Add((now - start, flight.Signal != HostSignal.Healthy));
            }

            foreach (var flight in _flights.Where(f => f.Answered <= now).ToList())
            {
                _flights.Remove(flight);
                var retryAfter = flight.Signal == HostSignal.Healthy ? (TimeSpan?)null : RetryAfter;
                if (flight.Signal == HostSignal.Healthy)
                {
                    Done++;
                }

                var pause = Paced
                    ? pacing.Observe(Host, flight.Signal, flight.Started, now, retryAfter, "test", 0, probe: false)
                    : retryAfter is { } wait ? new HostPause(now + (long)wait.TotalMilliseconds, "test") : null;
                if (pause is { } p && p.Until > pausedUntil)
                {
                    pausedUntil = p.Until;
                }

                wake = Math.Min(wake, now);
            }

            if (now < wake)
            {
                continue;
            }

            wake = long.MaxValue;
            while (true)
            {
                if (pausedUntil > now)
                {
                    wake = pausedUntil + Lag();
                    break;
                }

                if (_flights.Count >= (Paced ? pacing.Limit(Host) : options.PerHostLimit))
                {
                    break;
                }

                if (Paced && !pacing.TryStart(Host, now, out var next))
                {
                    wake = next + Lag();
                    break;
                }

                var arrives = now + 1 + _random.Next(0, Latency) + Spike();
                _flights.Add(new Flight { Started = now, Arrives = arrives, Answered = arrives + 1 + _random.Next(0, Latency) + Spike() });
            }
        }

        Elapsed = Arrivals.Count == 0 ? 0 : Arrivals[^1].Arrived;
        Controller = pacing.Find(Host);
        return this;
    }

    /// <summary>The share of requests pushed back among those that arrived after <paramref name="from"/> milliseconds.</summary>
    public double PushBackShare(long from)
    {
        var later = Arrivals.Where(a => a.Arrived >= from).ToList();
        return later.Count == 0 ? 0 : later.Count(a => a.PushedBack) / (double)later.Count;
    }

    /// <summary>Requests a second that arrived after <paramref name="from"/> milliseconds and were answered healthy.</summary>
    public double AnsweredPerSecond(long from)
    {
        var answered = Arrivals.Count(a => a.Arrived >= from && !a.PushedBack);
        return Elapsed <= from ? 0 : answered * 1000.0 / (Elapsed - from);
    }

    /// <summary>How late the frontier wakes for a start that was due: a timer's lag on a busy machine.</summary>
    private int Lag() => _random.Next(0, 4);

    /// <summary>Now and then a request or an answer is late (a loaded machine, a garbage collection).</summary>
    private int Spike() => _random.NextDouble() < Spikes ? _random.Next(10, 60) : 0;

    private sealed class Flight
    {
        public long Started { get; init; }

        public long Arrives { get; init; }

        public long Answered { get; init; }

        public HostSignal Signal { get; set; } = HostSignal.Healthy;

        public bool Arrived { get; set; }
    }
}
