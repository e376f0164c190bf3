namespace Haul.TestServer;

/// <summary>Sliding one-second request window shared by all clients, and the ban it triggers.</summary>
internal sealed class BanTracker(BanOptions? options, TimeProvider time, ServerCounters counters)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Queue<DateTimeOffset> _arrivals = new();
    private readonly Lock _lock = new();
    private DateTimeOffset _bannedUntil = DateTimeOffset.MinValue;

    public bool IsBanned()
    {
        if (options is null)
        {
            return false;
        }

        lock (_lock)
        {
            return time.GetUtcNow() < _bannedUntil;
        }
    }

    /// <summary>Registers a request arrival; true when the request must be reset.</summary>
    public bool RegisterArrival()
    {
        if (options is null)
        {
            return false;
        }

        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (now < _bannedUntil)
            {
                // Requests during a ban are not counted, so the ban ends after Duration even under pressure.
                return true;
            }

            _arrivals.Enqueue(now);
            while (_arrivals.Count > 0 && now - _arrivals.Peek() >= Window)
            {
                _arrivals.Dequeue();
            }

            if (_arrivals.Count <= options.RequestsPerSecond)
            {
                return false;
            }

            _bannedUntil = now + options.Duration;
            counters.BanTriggered();
            _arrivals.Clear();
            return true;
        }
    }
}
