using System.Collections.Concurrent;

namespace Haul.Fetching;

/// <summary>
/// The silences each host normally shows while it sends a body, and the stall deadline that follows from them. Every
/// body that ends cleanly gives one sample: its longest silence (the time to its response headers, or the longest gap
/// between two reads of its body). Per host (<see cref="Input.UrlNormalizer.HostKey"/>) a smoothed mean and mean
/// deviation are kept as TCP keeps its round-trip time (RFC 6298: gains 1/8 and 1/4), and the deadline is twice
/// mean + 4 × deviation, within [<see cref="Floor"/>, ceiling]. Until a host has <see cref="MinSamples"/> samples its
/// deadline is the ceiling (the configured stall timeout). Samples are recorded once per body, under a lock of their
/// host; a deadline is read without one.
/// </summary>
internal sealed class HostReadStats
{
    /// <summary>Samples a host needs before its deadline adapts.</summary>
    public const int MinSamples = 8;

    /// <summary>Hosts tracked at once; past this the statistics start over, so memory stays flat on a crawl of many hosts.</summary>
    public const int MaxHosts = 10_000;

    /// <summary>The shortest adaptive deadline: well above the jitter of a healthy host, so that it never trips it.</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Host> _hosts = new(StringComparer.Ordinal);
    private readonly TimeSpan _ceiling;
    private readonly TimeSpan _floor;
    private int _count;

    /// <param name="ceiling">The longest deadline, and the one of a host not yet known: the configured stall timeout.</param>
    public HostReadStats(TimeSpan ceiling)
    {
        _ceiling = ceiling;
        _floor = ceiling < Floor ? ceiling : Floor;
    }

    /// <summary>The stall deadline of <paramref name="hostKey"/> now.</summary>
    public TimeSpan StallDeadline(string hostKey) =>
        _hosts.TryGetValue(hostKey, out var host) && Volatile.Read(ref host.DeadlineTicks) is var ticks and > 0
            ? TimeSpan.FromTicks(ticks)
            : _ceiling;

    /// <summary>How many samples <paramref name="hostKey"/> has given.</summary>
    public int Samples(string hostKey) => _hosts.TryGetValue(hostKey, out var host) ? Volatile.Read(ref host.Samples) : 0;

    /// <summary>Records the longest silence of a body of <paramref name="hostKey"/> that ended cleanly.</summary>
    public void Record(string hostKey, TimeSpan longestSilence)
    {
        if (!_hosts.TryGetValue(hostKey, out var host))
        {
            if (Interlocked.Increment(ref _count) > MaxHosts)
            {
                _hosts.Clear();
                Interlocked.Exchange(ref _count, 1);
            }

            host = _hosts.GetOrAdd(hostKey, static _ => new Host());
        }

        var sample = Math.Max(0, longestSilence.Ticks);
        lock (host)
        {
            if (host.Samples == 0)
            {
                host.Mean = sample;
                host.Deviation = sample / 2.0;
            }
            else
            {
                host.Deviation += (Math.Abs(sample - host.Mean) - host.Deviation) / 4;
                host.Mean += (sample - host.Mean) / 8;
            }

            host.Samples++;
            if (host.Samples >= MinSamples)
            {
                var deadline = 2 * (host.Mean + (4 * host.Deviation));
                Volatile.Write(ref host.DeadlineTicks, (long)Math.Clamp(deadline, _floor.Ticks, _ceiling.Ticks));
            }
        }
    }

    /// <summary>
    /// A body of <paramref name="hostKey"/> stalled past its deadline, and no hedge got past it: the deadline doubles, up to the
    /// ceiling, as TCP backs its retransmission timer off, so that a host whose pace changed is not cut short over and
    /// over; clean bodies bring it back to what they show.
    /// </summary>
    public void Stalled(string hostKey)
    {
        if (_hosts.TryGetValue(hostKey, out var host) && Volatile.Read(ref host.DeadlineTicks) is var ticks and > 0)
        {
            Volatile.Write(ref host.DeadlineTicks, Math.Min(_ceiling.Ticks, ticks * 2));
        }
    }

    private sealed class Host
    {
        public double Mean;
        public double Deviation;
        public int Samples;
        public long DeadlineTicks;
    }
}
