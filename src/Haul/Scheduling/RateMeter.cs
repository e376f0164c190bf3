namespace Haul.Scheduling;

/// <summary>
/// Counts events over a recent window from the times of the last <see cref="Capacity"/> of them, so that a burst is
/// measured as a burst. Not thread-safe.
/// </summary>
internal sealed class RateMeter
{
    /// <summary>The events remembered.</summary>
    public const int Capacity = 128;

    private readonly long[] _times = new long[Capacity];
    private int _count;
    private int _next;

    /// <summary>Counts one event at <paramref name="now"/> (Unix milliseconds).</summary>
    public void Add(long now)
    {
        _times[_next] = now;
        _next = (_next + 1) % Capacity;
        _count = Math.Min(_count + 1, Capacity);
    }

    /// <summary>
    /// How many events fell in the <paramref name="window"/> milliseconds before <paramref name="now"/>, at most
    /// <see cref="Capacity"/>: a count that never overstates, where <see cref="PerSecond"/> would measure a burst.
    /// </summary>
    public int CountWithin(long now, long window)
    {
        var count = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_times[i] <= now && now - _times[i] < window)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Events a second over the <paramref name="window"/> milliseconds before <paramref name="now"/>. When every event
    /// remembered falls in the window, the rate is measured over the span they cover instead.
    /// </summary>
    public double PerSecond(long now, long window)
    {
        var inWindow = 0;
        var oldest = now;
        for (var i = 0; i < _count; i++)
        {
            var time = _times[i];
            if (now - time < window)
            {
                inWindow++;
                oldest = Math.Min(oldest, time);
            }
        }

        if (inWindow == Capacity && now - oldest > 0)
        {
            return (Capacity - 1) * 1000.0 / (now - oldest);
        }

        return inWindow * 1000.0 / Math.Max(1, window);
    }
}
