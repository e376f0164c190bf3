using System.Collections.Concurrent;
using Haul.Journal;
using Haul.Scheduling;

namespace Haul.Engine;

/// <summary>
/// In a journal many workers share: before each request, the item's lease is renewed and the host's turn is booked in
/// the shared host state, so that the starts of all workers together keep one gap apart, and a pause one worker met
/// (a 429, a ban) holds them all. The gap each host keeps is this worker's controller's (or the fixed one); a change
/// of it is given to the journal, where the latest any worker gave is the one all keep, and each worker adopts it.
/// </summary>
internal sealed class HostTurns(ISharedJobJournal journal, Frontier frontier, TimeSpan lease)
{
    /// <summary>A turn further off than this is not waited out in the attempt: the item goes back to its queue.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(1);

    /// <summary>For each host, the shared gap and its version as this worker last saw them.</summary>
    private readonly ConcurrentDictionary<string, (long Gap, long Version)> _seen = new(StringComparer.Ordinal);

    /// <summary>Books <paramref name="work"/>'s turn; null when another worker took the item over.</summary>
    public async Task<TimeSpan?> TakeAsync(WorkItem work, CancellationToken cancellationToken)
    {
        var gap = frontier.GapOf(work.Host);

        // Only a change is sent (beyond a rounding's millisecond or two), never a first look: a worker joining late must
        // not reset what the others found.
        var known = _seen.TryGetValue(work.Host, out var seen);
        long? changed = known && Math.Abs(seen.Gap - gap) > Math.Max(1, seen.Gap / 50) ? gap : null;
        var turn = await journal.TakeTurnAsync(work.Item, work.Host, changed, seen.Version, lease, LongestWait, cancellationToken).ConfigureAwait(false);
        if (!turn.Held)
        {
            return null;
        }

        // The shared gap, whoever set it last, is this worker's too; what all of them sent in the last second is the send
        // rate its controller judges push-back by; one worker (the longest running) raises it, every one may cut it.
        frontier.Share(work.Host, turn.Gap, turn.LastSecond, turn.Leads, turn.NoiseShown);
        work.ProbeTurn = turn.Probe;

        // A gap of this worker's own that differs from the shared one after adopting it (a fixed wait, a Crawl-delay, its
        // controller's change) is given at the next turn, from this version.
        _seen[work.Host] = (turn.Gap, turn.GapVersion);
        return turn.Wait;
    }

    /// <summary>How long the host is still paused by any worker, or null when it is not.</summary>
    public async Task<TimeSpan?> PausedAsync(string host, CancellationToken cancellationToken)
    {
        var pause = await journal.ReadHostPauseAsync(host, cancellationToken).ConfigureAwait(false);
        return pause > TimeSpan.Zero ? pause : null;
    }
}
