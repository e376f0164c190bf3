using System.Diagnostics;

namespace Haul.Journal;

/// <summary>
/// Decides how long a commit waits for other workers' commits to share its transaction (a group commit). Each
/// transaction rewrites the pages every item update touches (the item, its indexes, the counts, the host), so five
/// files a transaction write a fifth of the pages. A commit waits only when waiting pays: more than one worker may
/// commit, and commits have been coming faster than the wait, so that another is likely to join; a job with one worker,
/// or a host held to a few files a second, never waits.
/// </summary>
internal sealed class CommitGrouping
{
    /// <summary>The longest a commit waits for others.</summary>
    public static readonly TimeSpan MaxLinger = TimeSpan.FromMilliseconds(2);

    private readonly Lock _sync = new();
    private long _lastArrival;
    private double _meanGapTicks = double.PositiveInfinity;
    private int _committers = 1;

    /// <summary>How many workers may commit at once (the job's concurrency); one by default.</summary>
    public int Committers
    {
        get => Volatile.Read(ref _committers);
        set => Volatile.Write(ref _committers, Math.Max(1, value));
    }

    /// <summary>How long the commit being gathered now may wait for others: <see cref="MaxLinger"/>, or zero.</summary>
    public TimeSpan Linger
    {
        get
        {
            lock (_sync)
            {
                return Committers > 1 && _meanGapTicks < MaxLinger.TotalSeconds * Stopwatch.Frequency ? MaxLinger : TimeSpan.Zero;
            }
        }
    }

    /// <summary>A commit was asked for at <paramref name="timestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Arrived(long timestamp)
    {
        lock (_sync)
        {
            if (_lastArrival != 0)
            {
                // A smoothed mean of the gaps between commits, as TCP smooths its round-trip time.
                double gap = Math.Max(0, timestamp - _lastArrival);
                _meanGapTicks = double.IsPositiveInfinity(_meanGapTicks) ? gap : (_meanGapTicks * 7 + gap) / 8;
            }

            _lastArrival = timestamp;
        }
    }
}
