using Haul.Journal;

namespace Haul.Scheduling;

/// <summary>
/// What only the frontier of a worker on a shared job does (<see cref="FrontierOptions.IdlePoll"/>): it shares each
/// host's connections with the other workers, takes the items of workers that died once their leases expire, and, out of
/// work, waits while others still hold items.
/// </summary>
internal sealed partial class Frontier
{
    /// <summary>
    /// <paramref name="workers"/> workers now share the job (<see cref="FrontierOptions.IdlePoll"/>'s journal): each host's
    /// connection limit is divided among them, so that together they open about as many as one worker would.
    /// </summary>
    public void ShareHosts(int workers)
    {
        lock (_sync)
        {
            _pacing.Workers = Math.Max(1, workers);
            Signal();
        }
    }

    /// <summary>
    /// What the workers sharing a host keep together: the least gap between its starts that the latest of them set, in
    /// milliseconds (0: none to adopt), which this worker keeps too, and how many requests all of them started in the
    /// last second; whether this worker is the one that raises the rate (the others only cut it); and whether the host
    /// refused a probe, for any of them (its push-back may be noise).
    /// </summary>
    public void Share(string host, long gap, int lastSecond, bool leads, bool noiseShown)
    {
        lock (_sync)
        {
            _pacing.Share(host, gap, lastSecond, leads, noiseShown, _time.GetUtcNow().ToUnixTimeMilliseconds());
            Signal();
        }
    }

    /// <summary>Whether the host refused one of its first requests after a pause it asked for (for the shared journal).</summary>
    public bool NoiseShown(string host)
    {
        lock (_sync)
        {
            return _pacing.Find(host)?.NoiseShown ?? false;
        }
    }

    /// <summary>
    /// In a journal many workers share: an empty queue whose host is paused claims nothing until the pause ends, so it
    /// does not keep this worker from asking the journal whether the job is finished (<see cref="PollOthersAsync"/>),
    /// which counts that host's items as unfinished if it has any. Alone, a worker waits out the pause.
    /// </summary>
    private bool Parked(HostQueue queue, long now) => _options.IdlePoll is not null && !Claimable(queue, now);

    /// <summary>
    /// This worker has nothing left, in a journal others share: its claims are released and, while the job still has
    /// unfinished items (others' work, or the items of a worker that died, whose leases will expire), it waits one
    /// poll and looks again as if new input had come.
    /// </summary>
    private async Task PollOthersAsync(CancellationToken cancellationToken)
    {
        var shared = (ISharedJobJournal)_journal;
        var unfinished = await shared.IdleAsync(_options.Owner, cancellationToken).ConfigureAwait(false);
        if (unfinished == 0)
        {
            lock (_sync)
            {
                _finished = true;
                Signal();
            }

            return;
        }

        await Task.Delay(_options.IdlePoll!.Value, _time, cancellationToken).ConfigureAwait(false);
        InputAdded();
    }

    /// <summary>
    /// In a journal many workers share, a worker that died leaves claims that expire later, on items a queue's claims
    /// have already passed (<see cref="HostQueue.Cursor"/>) or on a host whose queue ran dry. Every half lease each
    /// queue claims again from its host's first unfinished item, and hosts this worker drained are looked for again, so
    /// that such items are taken within half a lease of their expiry rather than when the host's queue happens to drain
    /// (or this worker runs out of work). Not more often: looking for hosts walks every host with unfinished items.
    /// </summary>
    private void LookAgainForExpiredClaims(long now, ref TimeSpan? wait)
    {
        if (_options.IdlePoll is null)
        {
            return;
        }

        var every = Math.Max(1, (long)_options.LeaseDuration.TotalMilliseconds / 2);
        if (now - _lookedAgain >= every)
        {
            _lookedAgain = now;
            _journalMayHaveHosts = true;
            _drained.Clear();
            foreach (var queue in _order)
            {
                queue.Cursor = 0;
                queue.Exhausted = false;
            }
        }

        Shorten(ref wait, _lookedAgain + every - now);
    }
}
