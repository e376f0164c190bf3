namespace Haul.Scheduling;

/// <summary>
/// Hands out work one host at a time: at most a fixed number of items of one host at once, hosts served in turn so that
/// one slow host never holds the others back, and a host that pushed back (429, 503, Retry-After) is left alone until
/// its pause ends.
/// </summary>
/// <typeparam name="T">The work item.</typeparam>
internal sealed class HostScheduler<T>
{
    private readonly int _perHostLimit;
    private readonly TimeProvider _timeProvider;
    private readonly object _sync = new();
    private readonly Dictionary<string, HostQueue> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<HostQueue> _order = [];
    private int _next;
    private int _active;
    private bool _addingCompleted;
    private TaskCompletionSource _changed = NewSignal();

    public HostScheduler(int perHostLimit, TimeProvider timeProvider)
    {
        _perHostLimit = perHostLimit;
        _timeProvider = timeProvider;
    }

    /// <summary>Adds an item for <paramref name="host"/>.</summary>
    public void Enqueue(string host, T item)
    {
        lock (_sync)
        {
            if (!_hosts.TryGetValue(host, out var queue))
            {
                queue = new HostQueue(host);
                _hosts[host] = queue;
                _order.Add(queue);
            }

            queue.Items.Enqueue(item);
            Signal();
        }
    }

    /// <summary>Says no more items will be added except by work in progress; once all is handed out and done, <see cref="NextAsync"/> returns null.</summary>
    public void CompleteAdding()
    {
        lock (_sync)
        {
            _addingCompleted = true;
            Signal();
        }
    }

    /// <summary>Leaves a host alone for <paramref name="duration"/>: no new item of it starts before then.</summary>
    public void PauseHost(string host, TimeSpan duration)
    {
        lock (_sync)
        {
            if (_hosts.TryGetValue(host, out var queue))
            {
                var until = _timeProvider.GetUtcNow() + duration;
                if (until > queue.PausedUntil)
                {
                    queue.PausedUntil = until;
                }
            }
        }
    }

    /// <summary>Waits for the next item that may start now; null when there is no more work.</summary>
    public async ValueTask<Lease?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            TimeSpan? wait;
            lock (_sync)
            {
                if (TryTake(out var lease, out wait))
                {
                    return lease;
                }

                if (_addingCompleted && _active == 0 && _order.All(q => q.Items.Count == 0))
                {
                    return null;
                }

                changed = _changed.Task;
            }

            if (wait is { } delay)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delayTask = Task.Delay(delay, _timeProvider, timeout.Token);
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

    /// <summary>A picture of every host's queue, for progress displays.</summary>
    public IReadOnlyList<HostSnapshot> Snapshot()
    {
        lock (_sync)
        {
            var now = _timeProvider.GetUtcNow();
            return _order.Select(q => new HostSnapshot(q.Host, q.Items.Count, q.Active, q.PausedUntil > now ? q.PausedUntil - now : null)).ToList();
        }
    }

    private bool TryTake(out Lease? lease, out TimeSpan? wait)
    {
        lease = null;
        wait = null;
        var now = _timeProvider.GetUtcNow();
        for (var i = 0; i < _order.Count; i++)
        {
            var queue = _order[(_next + i) % _order.Count];
            if (queue.Items.Count == 0 || queue.Active >= _perHostLimit)
            {
                continue;
            }

            if (queue.PausedUntil > now)
            {
                var remaining = queue.PausedUntil - now;
                wait = wait is null || remaining < wait ? remaining : wait;
                continue;
            }

            _next = (_next + i + 1) % _order.Count;
            queue.Active++;
            _active++;
            lease = new Lease(this, queue, queue.Items.Dequeue());
            return true;
        }

        return false;
    }

    private void Release(HostQueue queue)
    {
        lock (_sync)
        {
            queue.Active--;
            _active--;
            Signal();
        }
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal sealed class HostQueue(string host)
    {
        public string Host { get; } = host;

        public Queue<T> Items { get; } = new();

        public int Active { get; set; }

        public DateTimeOffset PausedUntil { get; set; }
    }

    /// <summary>An item handed out; disposing it frees the host's slot.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly HostScheduler<T> _owner;
        private readonly HostQueue _queue;
        private int _released;

        internal Lease(HostScheduler<T> owner, HostQueue queue, T item)
        {
            _owner = owner;
            _queue = queue;
            Item = item;
        }

        /// <summary>The item.</summary>
        public T Item { get; }

        /// <summary>The item's host.</summary>
        public string Host => _queue.Host;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _owner.Release(_queue);
            }
        }
    }
}
