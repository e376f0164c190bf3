using System.Collections.Concurrent;

namespace Haul.TestServer;

/// <summary>Decides faults per request: scripts first, then a deterministic draw from the profile.</summary>
internal sealed class FaultPlanner(int seed, FaultProfile profile)
{
    private readonly ConcurrentDictionary<string, PathPlan> _paths = new(StringComparer.Ordinal);
    private readonly KeyValuePair<FaultKind, double>[] _rates = [.. profile.Rates.Where(p => p.Value > 0).OrderBy(p => p.Key)];
    private int _handshakeResets;

    public void Script(string path, IEnumerable<FaultKind> faults)
    {
        foreach (var fault in faults)
        {
            Plan(path).Scripts.Enqueue(fault);
        }
    }

    public void ScriptResetAt(string path, IEnumerable<long> offsets)
    {
        var plan = Plan(path);
        lock (plan.ResetOffsets)
        {
            foreach (var offset in offsets)
            {
                plan.ResetOffsets.Enqueue(offset);
            }
        }
    }

    /// <summary>The next <paramref name="count"/> TLS handshakes are reset after the ClientHello.</summary>
    public void ScriptHandshakeResets(int count) => Interlocked.Add(ref _handshakeResets, count);

    /// <summary>Whether the handshake of the connection just accepted is to be reset; takes one scripted reset if so.</summary>
    public bool TakeHandshakeReset()
    {
        while (true)
        {
            var left = Volatile.Read(ref _handshakeResets);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _handshakeResets, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    /// <summary>Chooses the fault for the next request to <paramref name="path"/>.</summary>
    public FaultPlan Next(string path)
    {
        var plan = Plan(path);
        var index = (ulong)Interlocked.Increment(ref plan.RequestIndex);
        var pathHash = SeededHash.OfString(path);
        var fraction = 0.1 + (0.8 * SeededHash.ToUnit(SeededHash.Combine((ulong)(uint)seed, pathHash, index, 0xF7AC)));
        if (plan.Scripts.TryDequeue(out var scripted))
        {
            return new FaultPlan(scripted, true, fraction);
        }

        if (_rates.Length == 0 || Volatile.Read(ref plan.Faults) >= profile.MaxFaultsPerPath)
        {
            return new FaultPlan(FaultKind.None, false, fraction);
        }

        var draw = SeededHash.ToUnit(SeededHash.Combine((ulong)(uint)seed, pathHash, index));
        var cumulative = 0.0;
        foreach (var (kind, rate) in _rates)
        {
            cumulative += rate;
            if (draw < cumulative)
            {
                return new FaultPlan(kind, false, fraction);
            }
        }

        return new FaultPlan(FaultKind.None, false, fraction);
    }

    /// <summary>Records that a random fault was actually injected on <paramref name="path"/>.</summary>
    public void Commit(string path, FaultPlan plan)
    {
        if (!plan.Scripted && plan.Kind != FaultKind.None)
        {
            Interlocked.Increment(ref Plan(path).Faults);
        }
    }

    /// <summary>Takes the next scripted reset offset if the body [start, endExclusive) covers it; offsets already passed are dropped.</summary>
    public long? TakeResetOffset(string path, long start, long endExclusive)
    {
        if (!_paths.TryGetValue(path, out var plan))
        {
            return null;
        }

        lock (plan.ResetOffsets)
        {
            while (plan.ResetOffsets.TryPeek(out var offset))
            {
                if (offset < start)
                {
                    plan.ResetOffsets.Dequeue();
                    continue;
                }

                if (offset < endExclusive)
                {
                    return plan.ResetOffsets.Dequeue();
                }

                break;
            }
        }

        return null;
    }

    private PathPlan Plan(string path) => _paths.GetOrAdd(path, static _ => new PathPlan());

    private sealed class PathPlan
    {
        public readonly ConcurrentQueue<FaultKind> Scripts = new();
        public readonly Queue<long> ResetOffsets = new();
        public long RequestIndex;
        public int Faults;
    }
}
