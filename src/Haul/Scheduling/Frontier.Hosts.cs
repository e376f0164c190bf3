using Haul.Journal;

namespace Haul.Scheduling;

/// <summary>
/// The hosts the frontier holds in memory: claims from the journal for hosts running low, new hosts while there is
/// room, and idle hosts forgotten.
/// </summary>
internal sealed partial class Frontier
{
    /// <summary>Whether a claim is due: a running host is low on items, or there is room for another host.</summary>
    private bool NeedsRefill()
    {
        DropIdleHosts();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_order.Any(q => !q.Exhausted && q.InMemory < Math.Max(_options.PerHostLimit, _options.Window / 2) && Claimable(q, now)))
        {
            return true;
        }

        return _journalMayHaveHosts && RunnableHosts(now) < _options.MaxActiveHosts;
    }

    /// <summary>
    /// Whether a host's items may be claimed now: it is not paused, or paused for longer than an item may take, so that
    /// its items are handed out to fail rather than wait.
    /// </summary>
    private bool Claimable(HostQueue queue, long now) =>
        queue.PausedUntil <= now || queue.PausedUntil - now > _options.MaxPause.TotalMilliseconds;

    /// <summary>Hosts that take a place among the active ones: with work left, and not waiting out a pause.</summary>
    private int RunnableHosts(long now) => _order.Count(q => !(q.IsEmpty && q.Exhausted) && (q.PausedUntil <= now || q.Active > 0));

    /// <summary>Claims items for hosts running low, then takes on more hosts while there is room.</summary>
    private async Task RefillAsync(CancellationToken cancellationToken)
    {
        List<(HostQueue Queue, int Want)> low;
        long version;
        HashSet<string> except;
        int room;
        lock (_sync)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            DropIdleHosts();
            low = _order.Where(q => !q.Exhausted && q.InMemory < Math.Max(_options.PerHostLimit, _options.Window / 2) && Claimable(q, now))
                .Select(q => (q, _options.Window - q.InMemory)).ToList();
            version = _inputVersion;
            except = new HashSet<string>(_hosts.Keys.Concat(_drained), StringComparer.Ordinal);
            room = _journalMayHaveHosts ? _options.MaxActiveHosts - RunnableHosts(now) : 0;
        }

        foreach (var (queue, want) in low)
        {
            var until = _time.GetUtcNow().Add(_options.LeaseDuration).ToUnixTimeMilliseconds();
            var items = await _journal.ClaimAsync(new JournalClaim(_options.Owner, queue.Host, queue.Cursor, want, until), cancellationToken).ConfigureAwait(false);
            var works = items.Select(_createWork).ToList();
            lock (_sync)
            {
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                foreach (var work in works)
                {
                    queue.Cursor = Math.Max(queue.Cursor, work.Item.Id);
                    if (_held.Add(work.Item.Id))
                    {
                        queue.Add(work, now);
                    }
                    else
                    {
                        _reclaimed[work.Item.Id] = work;
                    }
                }

                if (items.Count < want && version == _inputVersion)
                {
                    queue.Exhausted = true;
                }

                Signal();
            }
        }

        if (room <= 0)
        {
            return;
        }

        var hosts = await _journal.ReadHostsWithWorkAsync(room, except, cancellationToken).ConfigureAwait(false);
        lock (_sync)
        {
            foreach (var host in hosts)
            {
                var queue = GetOrAdd(host.Host);
                queue.PausedUntil = Math.Max(queue.PausedUntil, host.NotBefore);
                queue.PauseReason ??= host.Reason;
            }

            if (hosts.Count == 0 && version == _inputVersion)
            {
                _journalMayHaveHosts = false;
            }

            Signal();
        }
    }

    /// <summary>
    /// Forgets hosts with nothing in memory, nothing running and nothing more in the journal. A host still paused is
    /// kept (parked, it takes no place among the active ones), so that an item redirected to it later waits too.
    /// </summary>
    private void DropIdleHosts()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = _order.Count - 1; i >= 0; i--)
        {
            var queue = _order[i];
            if (queue.IsEmpty && queue.Exhausted && queue.PausedUntil <= now)
            {
                _order.RemoveAt(i);
                _hosts.Remove(queue.Host);
                _pacing.Forget(queue.Host, now);

                // Its unfinished items, if the journal still counts any, are being worked on under another host (a
                // redirect); asking for it again before new input would only find nothing.
                _drained.Add(queue.Host);
            }
        }

        _next = _order.Count == 0 ? 0 : _next % _order.Count;
    }

    private HostQueue GetOrAdd(string host)
    {
        if (!_hosts.TryGetValue(host, out var queue))
        {
            queue = new HostQueue(host);
            _hosts[host] = queue;
            _order.Add(queue);
            _drained.Remove(host);
        }

        return queue;
    }
}
