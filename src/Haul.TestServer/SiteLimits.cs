namespace Haul.TestServer;

/// <summary>
/// The limits a site applies to every request before routing it: a rate limit (<see cref="RateLimitOptions"/>) and an
/// outage (<see cref="HostileServerOptions.Outage"/>) that answers 503 for a while after the first request.
/// </summary>
internal sealed class SiteLimits(HostileServerOptions options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _tokens = options.RateLimit?.Burst ?? 0;
    private long _refilledAt = time.GetTimestamp();
    private long? _firstRequestAt;

    /// <summary>The status a request is refused with (429 or 503), or null when it may be served.</summary>
    public int? Refusal()
    {
        if (options.RateLimit is null && options.Outage is null)
        {
            return null;
        }

        lock (_lock)
        {
            var now = time.GetTimestamp();
            _firstRequestAt ??= now;
            if (options.Outage is { } outage && time.GetElapsedTime(_firstRequestAt.Value, now) < outage)
            {
                return 503;
            }

            if (options.RateLimit is not { } limit)
            {
                return null;
            }

            // One token a request, refilled at the rate; the bucket holds the burst and one more (the request itself).
            _tokens = Math.Min(limit.Burst + 1, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * limit.RequestsPerSecond));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return 429;
            }

            _tokens--;
            return null;
        }
    }
}
