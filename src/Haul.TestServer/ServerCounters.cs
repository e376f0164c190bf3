using System.Collections.Concurrent;

namespace Haul.TestServer;

/// <summary>Thread-safe tallies of what the server served and injected.</summary>
public sealed class ServerCounters
{
    private readonly ConcurrentDictionary<string, PathTally> _paths = new(StringComparer.Ordinal);
    private readonly int[] _faults = new int[Enum.GetValues<FaultKind>().Length];
    private readonly List<RequestEntry> _log = [];
    private readonly Lock _logLock = new();
    private long _requests;
    private long _connections;
    private long _bodyBytes;
    private int _bans;
    private int _answering;
    private int _peakAnswering;

    /// <summary>Requests received, including those answered with a reset.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>TCP connections accepted, including those reset at once during a ban.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connections);

    /// <summary>Times the rate-limit ban (<see cref="HostileServerOptions.Ban"/>) was triggered.</summary>
    public int BansTriggered => Volatile.Read(ref _bans);

    /// <summary>Response body bytes written (chunk framing excluded), over all routes.</summary>
    public long BodyBytesSent => Interlocked.Read(ref _bodyBytes);

    /// <summary>Injected fault counts by kind (kinds never injected are omitted).</summary>
    public IReadOnlyDictionary<FaultKind, int> FaultsByKind =>
        Enum.GetValues<FaultKind>().Where(k => FaultsInjected(k) > 0).ToDictionary(k => k, FaultsInjected);

    /// <summary>Every request, in arrival order; in-flight requests show the bytes sent so far.</summary>
    public IReadOnlyList<RequestRecord> Log
    {
        get
        {
            lock (_logLock)
            {
                return [.. _log.Select(e => e.ToRecord())];
            }
        }
    }

    /// <summary>Response body bytes written for one path.</summary>
    public long BodyBytesSentFor(string path) => _paths.TryGetValue(path, out var t) ? Interlocked.Read(ref t.BodyBytes) : 0;

    /// <summary>Responses that delivered the whole file to its end (200, or 206 covering the full file).</summary>
    public int CompleteBodiesSentFor(string path) => _paths.TryGetValue(path, out var t) ? Volatile.Read(ref t.CompleteBodies) : 0;

    /// <summary>Requests received for one path.</summary>
    public int RequestsFor(string path) => _paths.TryGetValue(path, out var t) ? Volatile.Read(ref t.Requests) : 0;

    /// <summary>Requests received whose path starts with <paramref name="pathPrefix"/>, e.g. <c>/private/</c>.</summary>
    public int RequestsUnder(string pathPrefix) =>
        _paths.Where(p => p.Key.StartsWith(pathPrefix, StringComparison.Ordinal)).Sum(p => Volatile.Read(ref p.Value.Requests));

    /// <summary>Requests whose path starts with <paramref name="pathPrefix"/> answered with <paramref name="status"/>, e.g. 403 under <c>/protected/</c>.</summary>
    public int RequestsUnder(string pathPrefix, int status)
    {
        lock (_logLock)
        {
            return _log.Count(e => e.Status == status && e.Path.StartsWith(pathPrefix, StringComparison.Ordinal));
        }
    }

    /// <summary>How many times a fault kind was injected.</summary>
    public int FaultsInjected(FaultKind kind) => (int)kind < _faults.Length ? Volatile.Read(ref _faults[(int)kind]) : 0;

    /// <summary>The most requests the server was answering at one moment (from the head read to the answer's end).</summary>
    public int PeakAnswering => Volatile.Read(ref _peakAnswering);

    internal void BanTriggered() => Interlocked.Increment(ref _bans);

    /// <summary>Starts <see cref="PeakAnswering"/> again from the requests being answered now.</summary>
    public void ResetPeakAnswering() => Volatile.Write(ref _peakAnswering, Volatile.Read(ref _answering));

    /// <summary>A request is being answered until the scope ends.</summary>
    internal AnsweringScope Answering()
    {
        var now = Interlocked.Increment(ref _answering);
        for (var peak = Volatile.Read(ref _peakAnswering); now > peak; peak = Volatile.Read(ref _peakAnswering))
        {
            if (Interlocked.CompareExchange(ref _peakAnswering, now, peak) == peak)
            {
                break;
            }
        }

        return new AnsweringScope(this);
    }

    internal void ConnectionAccepted() => Interlocked.Increment(ref _connections);

    internal void Fault(FaultKind kind) => Interlocked.Increment(ref _faults[(int)kind]);

    internal RequestEntry BeginRequest(HttpRequest request, long connectionId, int requestOnConnection, DateTimeOffset arrived)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref Tally(request.Path).Requests);
        var entry = new RequestEntry(request, connectionId, requestOnConnection, arrived);
        lock (_logLock)
        {
            _log.Add(entry);
        }

        return entry;
    }

    internal void AddBodyBytes(RequestEntry entry, long count)
    {
        Interlocked.Add(ref _bodyBytes, count);
        Interlocked.Add(ref Tally(entry.Path).BodyBytes, count);
        entry.AddBodyBytes(count);
    }

    internal void CompleteBody(string path) => Interlocked.Increment(ref Tally(path).CompleteBodies);

    private PathTally Tally(string path) => _paths.GetOrAdd(path, static _ => new PathTally());

    private sealed class PathTally
    {
        public long BodyBytes;
        public int Requests;
        public int CompleteBodies;
    }

    /// <summary>Ends one request's answer.</summary>
    internal readonly struct AnsweringScope(ServerCounters counters) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref counters._answering);
    }
}
