namespace Haul.Scheduling;

/// <summary>
/// Exponential backoff with decorrelated jitter: each delay is drawn between the base delay and three times the
/// previous one, capped. Retries of many items spread out instead of arriving together, and a run of failures still
/// backs off exponentially.
/// </summary>
internal sealed class Backoff
{
    private readonly TimeSpan _base;
    private readonly TimeSpan _cap;
    private readonly Func<double> _random;

    /// <param name="baseDelay">The first delay's lower bound.</param>
    /// <param name="cap">The largest delay.</param>
    /// <param name="random">A number in [0, 1); tests pin it.</param>
    public Backoff(TimeSpan baseDelay, TimeSpan cap, Func<double>? random)
    {
        _base = baseDelay;
        _cap = cap;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>The delay after <paramref name="previous"/> (zero before the first retry).</summary>
    public TimeSpan Next(TimeSpan previous)
    {
        var upper = Math.Max(_base.Ticks, previous.Ticks * 3);
        var ticks = _base.Ticks + (long)(_random() * (upper - _base.Ticks));
        return TimeSpan.FromTicks(Math.Min(_cap.Ticks, Math.Max(_base.Ticks, ticks)));
    }
}
