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
internal sealed partial class Frontier : IDisposable
{
    private readonly IJobJournal _journal;
    private readonly FrontierOptions _options;
    private readonly Func<JournalItem, WorkItem> _createWork;
    private readonly TimeProvider _time;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, HostQueue> _hosts = new(StringComparer.Ordinal);
    private readonly List<HostQueue> _order = [];
    private readonly HashSet<string> _drained = new(StringComparer.Ordinal);

    /// <summary>The per-host gaps between starts (robots.txt's Crawl-delay) and the probe of new hosts.</summary>
    private readonly HostPacing _pacing;

    /// <summary>Ids of the items in memory: a claim never brings one in twice.</summary>
    private readonly HashSet<long> _held = [];

    /// <summary>
    /// In a journal many workers share: a new claim of an item still in memory under an older one (this worker was
    /// frozen past its lease, another took the item and gave it back). The older copy fails its next turn; this one
    /// takes its place then.
    /// </summary>
    private readonly Dictionary<long, WorkItem> _reclaimed = [];
    private readonly SemaphoreSlim _refilling = new(1, 1);
    private int _next;
    private int _active;
    private bool _inputComplete;
    private bool _journalMayHaveHosts = true;

    /// <summary>With <see cref="FrontierOptions.IdlePoll"/>: the shared journal said the whole job is finished.</summary>
    private bool _finished;
    private long _inputVersion;

    /// <summary>With <see cref="FrontierOptions.IdlePoll"/>: when the queues last looked again from their hosts' first items.</summary>
    private long _lookedAgain;
    private TaskCompletionSource _changed = NewSignal();

    public Frontier(IJobJournal journal, FrontierOptions options, Func<JournalItem, WorkItem> createWork, TimeProvider time)
    {
        _journal = journal;
        _options = options;
        _createWork = createWork;
        _time = time;
        _pacing = new HostPacing(options);
    }

    /// <summary>
    /// New items reached the journal: hosts that had run dry may have more. <paramref name="reopened"/>: the input also
    /// gave items of an earlier run a fresh start (a failed one named again, a done one whose file went), which may sit
    /// below a queue's claim cursor, so every queue claims again from its host's first item. New items always sit above
    /// it: a crawl's pages, which add only new items, do not make each claim walk its host's items from the start.
    /// </summary>
    public void InputAdded(bool reopened = false)
    {
        lock (_sync)
        {
            _inputVersion++;
            _journalMayHaveHosts = true;
            _drained.Clear();
            foreach (var queue in _order)
            {
                if (reopened)
                {
                    queue.Cursor = 0;
                }

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

    /// <summary>
    /// What an attempt of <paramref name="work"/> showed about <paramref name="host"/>: its controller adapts, and when
    /// the host must be left alone the pause is applied and returned, for the journal and the log. <paramref name="hedges"/>
    /// counts the stalls the attempt got past by a hedge.
    /// </summary>
    public HostPause? Observe(WorkItem work, string host, HostSignal signal, TimeSpan? retryAfter, string reason, int hedges = 0)
    {
        lock (_sync)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (_pacing.Observe(host, signal, work.AttemptStarted, now, retryAfter, reason, hedges, work.ProbeTurn) is not { } pause)
            {
                return null;
            }

            PauseQueue(host, pause.Until, pause.Reason);
            return pause;
        }
    }

    /// <summary>Starts no two requests of a host closer together than <paramref name="gap"/> (robots.txt's Crawl-delay).</summary>
    public void SetHostGap(string host, TimeSpan gap)
    {
        lock (_sync)
        {
            _pacing.SetGap(host, (long)gap.TotalMilliseconds, _time.GetUtcNow().ToUnixTimeMilliseconds());
            Signal();
        }
    }

    /// <summary>Lets a host run up to <see cref="FrontierOptions.PerHostLimit"/> attempts at once (see <see cref="FrontierOptions.ProbeNewHosts"/>).</summary>
    public void ClearHost(string host)
    {
        lock (_sync)
        {
            if (_pacing.Clear(host))
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
            if (_pacing.Refund(host, _time.GetUtcNow().ToUnixTimeMilliseconds()))
            {
                Signal();
            }
        }
    }

    /// <summary>The least gap between a host's request starts that this worker keeps now, in milliseconds (0: none).</summary>
    public long GapOf(string host)
    {
        lock (_sync)
        {
            return _pacing.Find(host)?.Gap ?? 0;
        }
    }

    /// <summary>
    /// The host's turn, shared with other workers, is not before <paramref name="until"/> (Unix milliseconds): its queue
    /// waits until then, as after a pause.
    /// </summary>
    public void Defer(string host, long until, string reason)
    {
        lock (_sync)
        {
            PauseQueue(host, until, reason);
        }
    }

    private void PauseQueue(string host, long until, string reason)
    {
        var queue = GetOrAdd(host);
        if (until > queue.PausedUntil)
        {
            queue.PausedUntil = until;
            queue.PauseReason = reason;
        }

        Signal();
    }

    /// <summary>Waits for the next item that may start now; null when there is no more work.</summary>
    public async ValueTask<WorkItem?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            TimeSpan? wait;
            bool refill;
            bool idle;
            lock (_sync)
            {
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (TryTake(now, out var work, out wait))
                {
                    return work;
                }

                LookAgainForExpiredClaims(now, ref wait);
                refill = NeedsRefill();
                idle = !refill && _inputComplete && _active == 0 && !_journalMayHaveHosts && _order.All(q => q.IsEmpty && (q.Exhausted || Parked(q, now)));
                if (idle && (_options.IdlePoll is null || _finished))
                {
                    Signal();
                    return null;
                }

                changed = _changed.Task;
            }

            if (idle && await _refilling.WaitAsync(0, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await PollOthersAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _refilling.Release();
                }

                continue;
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
                case WorkDecision.Finished or WorkDecision.Abandoned when _reclaimed.Remove(work.Item.Id, out var fresh):
                    GetOrAdd(fresh.Host).Add(fresh, now);
                    break;
                case WorkDecision.Finished or WorkDecision.Abandoned:
                    _held.Remove(work.Item.Id);
                    break;
                case WorkDecision.Retry or WorkDecision.Moved:
                    GetOrAdd(work.Host).Add(_reclaimed.Remove(work.Item.Id, out var newer) ? newer : work, now);
                    break;
            }

            Signal();
        }
    }

    public void Dispose() => _refilling.Dispose();


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
                if (queue.PausedUntil - now > _options.MaxPause.TotalMilliseconds && queue.Ready.Count > 0)
                {
                    // Waiting would outlast any item's budget: the item fails now, with the host's reason.
                    work = Take(queue, index, now);
                    work.ClosedBy = new HostPause(queue.PausedUntil, queue.PauseReason ?? "paused");
                    return true;
                }

                if (queue.Ready.Count > 0 || !queue.Exhausted)
                {
                    Shorten(ref wait, queue.PausedUntil - now);
                }

                continue;
            }

            if (queue.Ready.Count == 0 || queue.Active >= _pacing.Limit(queue.Host))
            {
                continue;
            }

            if (!_pacing.TryStart(queue.Host, now, out var nextStart))
            {
                Shorten(ref wait, nextStart - now);
                continue;
            }

            work = Take(queue, index, now);
            return true;
        }

        return false;
    }

    private WorkItem Take(HostQueue queue, int index, long now)
    {
        _next = (index + 1) % _order.Count;
        queue.Active++;
        _active++;
        var work = queue.Ready.Dequeue();
        work.Host = queue.Host;
        work.AttemptStarted = now;
        work.ClosedBy = null;
        if (work.Item.Kind == ItemKind.Page)
        {
            queue.ActivePages++;
        }

        return work;
    }

    private static void Shorten(ref TimeSpan? wait, long milliseconds)
    {
        // A pause of years (a Retry-After date far ahead) is waited out a day at a time: a timer takes at most ~49 days.
        var candidate = TimeSpan.FromMilliseconds(Math.Clamp(milliseconds, 1, 86_400_000));
        if (wait is null || candidate < wait)
        {
            wait = candidate;
        }
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
