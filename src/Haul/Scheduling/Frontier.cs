using Haul.Journal;

namespace Haul.Scheduling;

/// <summary>
/// Hands out work one attempt at a time, from the journal, in bounded memory. It keeps a queue in memory for at most
/// <see cref="FrontierOptions.MaxActiveHosts"/> hosts that may run now (paused hosts are parked and do not count), each
/// refilled from the journal by claims of at most <see cref="FrontierOptions.Window"/> items, so memory does not grow
/// with the number of URLs. Hosts are served in turn, at most <see cref="FrontierOptions.PerHostLimit"/> attempts of one
/// host at once; a host that pushed back is left alone until its pause ends, and an item that failed waits for its retry
/// time in its host's queue while the worker and the slot serve others.
/// </summary>
internal sealed class Frontier : IDisposable
{
    private readonly IJobJournal _journal;
    private readonly FrontierOptions _options;
    private readonly Func<JournalItem, WorkItem> _createWork;
    private readonly TimeProvider _time;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, HostQueue> _hosts = new(StringComparer.Ordinal);
    private readonly List<HostQueue> _order = [];
    private readonly HashSet<string> _drained = new(StringComparer.Ordinal);

    /// <summary>Hosts with a least gap between the starts of their requests (robots.txt's Crawl-delay): the gap and the next start allowed.</summary>
    private readonly Dictionary<string, (long Gap, long NextStart)> _pacing = new(StringComparer.Ordinal);

    /// <summary>With <see cref="FrontierOptions.ProbeNewHosts"/>: hosts that may run more than one attempt at once.</summary>
    private readonly HashSet<string> _cleared = new(StringComparer.Ordinal);

    /// <summary>Ids of the items in memory: a claim never brings one in twice.</summary>
    private readonly HashSet<long> _held = [];
    private readonly SemaphoreSlim _refilling = new(1, 1);
    private int _next;
    private int _active;
    private bool _inputComplete;
    private bool _journalMayHaveHosts = true;
    private long _inputVersion;
    private TaskCompletionSource _changed = NewSignal();

    public Frontier(IJobJournal journal, FrontierOptions options, Func<JournalItem, WorkItem> createWork, TimeProvider time)
    {
        _journal = journal;
        _options = options;
        _createWork = createWork;
        _time = time;
    }

    /// <summary>New items reached the journal: hosts that had run dry may have more.</summary>
    public void InputAdded()
    {
        lock (_sync)
        {
            _inputVersion++;
            _journalMayHaveHosts = true;
            _drained.Clear();
            foreach (var queue in _order)
            {
                queue.Exhausted = false;
            }

            Signal();
        }
    }

    /// <summary>No more input will come: once every item is finished, <see cref="NextAsync"/> returns null.</summary>
    public void InputComplete()
    {
        lock (_sync)
        {
            _inputComplete = true;
            Signal();
        }
    }

    /// <summary>Leaves a host alone until <paramref name="until"/> (Unix milliseconds): no new attempt of it starts before.</summary>
    public void PauseHost(string host, long until, string reason)
    {
        lock (_sync)
        {
            var queue = GetOrAdd(host);
            if (until > queue.PausedUntil)
            {
                queue.PausedUntil = until;
                queue.PauseReason = reason;
            }

            Signal();
        }
    }

    /// <summary>Starts no two requests of a host closer together than <paramref name="gap"/> (robots.txt's Crawl-delay).</summary>
    public void SetHostGap(string host, TimeSpan gap)
    {
        lock (_sync)
        {
            var milliseconds = (long)gap.TotalMilliseconds;
            if (milliseconds <= 0)
            {
                _pacing.Remove(host);
            }
            else
            {
                // Set when the host's first request is about to start: the next may follow one gap later.
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                var next = _pacing.TryGetValue(host, out var pacing) ? pacing.NextStart : 0;
                _pacing[host] = (milliseconds, Math.Max(next, now + milliseconds));
            }

            Signal();
        }
    }

    /// <summary>Lets a host run up to <see cref="FrontierOptions.PerHostLimit"/> attempts at once (see <see cref="FrontierOptions.ProbeNewHosts"/>).</summary>
    public void ClearHost(string host)
    {
        lock (_sync)
        {
            if (_cleared.Add(host))
            {
                Signal();
            }
        }
    }

    /// <summary>
    /// An attempt of <paramref name="host"/> ended without a request (robots.txt or a limit skipped its item): the gap
    /// it booked is given back, so that the next request may start at once.
    /// </summary>
    public void RefundGap(string host)
    {
        lock (_sync)
        {
            if (_pacing.TryGetValue(host, out var pacing))
            {
                _pacing[host] = (pacing.Gap, _time.GetUtcNow().ToUnixTimeMilliseconds());
                Signal();
            }
        }
    }

    /// <summary>Waits for the next item that may start now; null when there is no more work.</summary>
    public async ValueTask<WorkItem?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            TimeSpan? wait;
            bool refill;
            lock (_sync)
            {
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (TryTake(now, out var work, out wait))
                {
                    return work;
                }

                refill = NeedsRefill();
                if (!refill && _inputComplete && _active == 0 && !_journalMayHaveHosts && _order.All(q => q.IsEmpty && q.Exhausted))
                {
                    Signal();
                    return null;
                }

                changed = _changed.Task;
            }

            if (refill && await _refilling.WaitAsync(0, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RefillAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _refilling.Release();
                }

                continue;
            }

            if (wait is { } delay)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delayTask = Task.Delay(delay, _time, timeout.Token);
                await Task.WhenAny(changed, delayTask).ConfigureAwait(false);
                await timeout.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            else
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>An attempt of <paramref name="work"/> ended: its slot is free, and the item goes where the decision says.</summary>
    public void Complete(WorkItem work, WorkDecision decision, string attemptedHost)
    {
        lock (_sync)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var queue = GetOrAdd(attemptedHost);
            queue.Active--;
            if (work.Item.Kind == ItemKind.Page)
            {
                queue.ActivePages--;
            }

            _active--;
            switch (decision)
            {
                case WorkDecision.Finished or WorkDecision.Abandoned:
                    _held.Remove(work.Item.Id);
                    break;
                case WorkDecision.Retry or WorkDecision.Moved:
                    GetOrAdd(work.Host).Add(work, now);
                    break;
            }

            Signal();
        }
    }

    public void Dispose() => _refilling.Dispose();

    /// <summary>A picture of every host in memory, for progress displays.</summary>
    public IReadOnlyList<HostSnapshot> Snapshot()
    {
        lock (_sync)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            return _order.Select(q => new HostSnapshot(
                q.Host, q.InMemory, q.Active, q.PausedUntil > now ? TimeSpan.FromMilliseconds(q.PausedUntil - now) : null, q.PagesInMemory, q.ActivePages)).ToList();
        }
    }

    private bool TryTake(long now, out WorkItem? work, out TimeSpan? wait)
    {
        work = null;
        wait = null;
        for (var i = 0; i < _order.Count; i++)
        {
            var index = (_next + i) % _order.Count;
            var queue = _order[index];
            queue.Release(now);
            if (queue.Waiting.TryPeek(out _, out var nextRetry))
            {
                Shorten(ref wait, nextRetry - now);
            }

            if (queue.PausedUntil > now)
            {
                if (queue.Ready.Count > 0 || !queue.Exhausted)
                {
                    Shorten(ref wait, queue.PausedUntil - now);
                }

                continue;
            }

            var limit = _options.ProbeNewHosts && !_cleared.Contains(queue.Host) ? 1 : _options.PerHostLimit;
            if (queue.Ready.Count == 0 || queue.Active >= limit)
            {
                continue;
            }

            if (_pacing.TryGetValue(queue.Host, out var pacing))
            {
                if (pacing.NextStart > now)
                {
                    Shorten(ref wait, pacing.NextStart - now);
                    continue;
                }

                _pacing[queue.Host] = (pacing.Gap, now + pacing.Gap);
            }

            _next = (index + 1) % _order.Count;
            queue.Active++;
            _active++;
            work = queue.Ready.Dequeue();
            work.Host = queue.Host;
            if (work.Item.Kind == ItemKind.Page)
            {
                queue.ActivePages++;
            }

            return true;
        }

        return false;
    }

    private static void Shorten(ref TimeSpan? wait, long milliseconds)
    {
        var candidate = TimeSpan.FromMilliseconds(Math.Max(1, milliseconds));
        if (wait is null || candidate < wait)
        {
            wait = candidate;
        }
    }

    /// <summary>Whether a claim is due: a running host is low on items, or there is room for another host.</summary>
    private bool NeedsRefill()
    {
        DropIdleHosts();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_order.Any(q => !q.Exhausted && q.InMemory < Math.Max(_options.PerHostLimit, _options.Window / 2) && q.PausedUntil <= now))
        {
            return true;
        }

        return _journalMayHaveHosts && RunnableHosts(now) < _options.MaxActiveHosts;
    }

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
            low = _order.Where(q => !q.Exhausted && q.InMemory < Math.Max(_options.PerHostLimit, _options.Window / 2) && q.PausedUntil <= now)
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

    private void Signal()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
