namespace Haul.Fetching;

/// <summary>
/// The stall deadline of one body, and the race of its hedge. A timer is re-armed before every read; when a read waits
/// longer than the deadline, either the read is cancelled (a stall), or, when the body can be resumed safely, a hedge
/// is opened: the rest of the body asked for on a new connection. Whichever moves first wins. When the hedge's
/// response arrives before the original read returns, the original read is cancelled and the copy goes on from the
/// hedge's body; when the original read returns first, the hedge is cancelled. A hedge that fails ends the attempt as a
/// stall. Only the copy loop reads a body or writes the file; the timer and the hedge only change the state, under a
/// lock taken on these rare paths alone.
/// </summary>
internal sealed class BodyRace : IAsyncDisposable
{
    /// <summary>Hedges one attempt may open; a body that stalls again after them is a stall.</summary>
    public const int MaxHedges = 2;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _deadline;
    private readonly Func<long, CancellationToken, Task<Stream?>>? _openHedge;
    private readonly CancellationToken _itemToken;
    private readonly ITimer _timer;
    private CancellationTokenSource _read;
    private List<CancellationTokenSource>? _hedgeCancels;
    private List<Task>? _hedgeTasks;
    private CancellationTokenSource? _hedgeCancel;
    private Task _hedgeTask = Task.CompletedTask;
    private Stream? _hedgeBody;
    private long _hedgeOffset;
    private volatile State _state;
    private long _readStart;
    private long _offset;
    private int _reading;

    /// <param name="time">The clock of the deadline.</param>
    /// <param name="deadline">The longest a read may wait.</param>
    /// <param name="openHedge">
    /// Opens the rest of the body from an offset on a new connection: the body stream of a response that continues
    /// exactly these bytes, or null when the server did not give one. Null when the body cannot be resumed safely.
    /// </param>
    /// <param name="itemToken">The item's deadline and the caller's cancellation.</param>
    public BodyRace(TimeProvider time, TimeSpan deadline, Func<long, CancellationToken, Task<Stream?>>? openHedge, CancellationToken itemToken)
    {
        _time = time;
        _deadline = deadline;
        _openHedge = openHedge;
        _itemToken = itemToken;
        _read = CancellationTokenSource.CreateLinkedTokenSource(itemToken);
        _timer = time.CreateTimer(static race => ((BodyRace)race!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private enum State
    {
        Running,
        Hedging,
        HedgeWon,
        Stalled,
    }

    /// <summary>The token of the next read: cancelled by the item's token, a stall, or a hedge that won.</summary>
    public CancellationToken ReadToken => _read.Token;

    /// <summary>Hedges opened.</summary>
    public int Hedges { get; private set; }

    /// <summary>Hedges whose body replaced the original.</summary>
    public int HedgesWon { get; private set; }

    /// <summary>Whether the body stalled past the deadline with no hedge to take over.</summary>
    public bool Stalled => _state == State.Stalled;

    /// <summary>The longest read so far, from its start to its return.</summary>
    public TimeSpan LongestRead { get; private set; }

    /// <summary>Called before each read, with the bytes the file holds: arms the deadline.</summary>
    public void BeginRead(long offset)
    {
        _offset = offset;
        _readStart = _time.GetTimestamp();
        Volatile.Write(ref _reading, 1);
        _timer.Change(_deadline, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Called when a read returned bytes (or the end): the original moved, so it wins any race in flight.</summary>
    public async ValueTask EndReadAsync()
    {
        Volatile.Write(ref _reading, 0);
        var took = _time.GetElapsedTime(_readStart);
        if (took > LongestRead)
        {
            LongestRead = took;
        }

        if (_state == State.Running)
        {
            return;
        }

        Stream? loser;
        lock (_gate)
        {
            loser = _hedgeBody;
            _hedgeBody = null;
            _hedgeCancel?.Cancel();
            _state = State.Running;
            RenewReadToken();
        }

        if (loser is not null)
        {
            await loser.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Called when a read failed: the body of a hedge that won it (the copy goes on from there), or null when the
    /// failure stands. A read that failed while a hedge was in flight waits for the hedge first. A hedge that was opened
    /// from another offset than <paramref name="fileLength"/>, the bytes the file holds now (a read that returned just
    /// as the hedge started moved the file on), is refused: its bytes would not follow the file's.
    /// </summary>
    public async ValueTask<Stream?> TakeHedgeAsync(long fileLength)
    {
        Volatile.Write(ref _reading, 0);
        if (_itemToken.IsCancellationRequested)
        {
            return null;
        }

        if (_state == State.Hedging)
        {
            await _hedgeTask.ConfigureAwait(false);
        }

        Stream? misplaced;
        lock (_gate)
        {
            if (_state != State.HedgeWon)
            {
                return null;
            }

            var body = _hedgeBody;
            _hedgeBody = null;
            _state = State.Running;
            RenewReadToken();
            if (_hedgeOffset != fileLength)
            {
                misplaced = body;
                body = null;
            }
            else
            {
                HedgesWon++;
                return body;
            }
        }

        if (misplaced is not null)
        {
            await misplaced.DisposeAsync().ConfigureAwait(false);
        }

        return null;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // Once the timer is gone (its callbacks finished), no hedge starts any more.
        await _timer.DisposeAsync().ConfigureAwait(false);
        if (_hedgeTasks is { } hedges && _hedgeCancels is { } cancels)
        {
            lock (_gate)
            {
                foreach (var cancel in cancels)
                {
                    cancel.Cancel();
                }
            }

            // A hedge never throws; once each has settled, none can hand over a body any more.
            await Task.WhenAll(hedges).ConfigureAwait(false);
        }

        Stream? left;
        lock (_gate)
        {
            left = _hedgeBody;
            _hedgeBody = null;
            if (_hedgeCancels is not null)
            {
                foreach (var cancel in _hedgeCancels)
                {
                    cancel.Dispose();
                }
            }

            _read.Dispose();
        }

        if (left is not null)
        {
            await left.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void RenewReadToken()
    {
        // The old token may have been cancelled for a race that is over; the next read needs one of its own.
        _read.Dispose();
        _read = CancellationTokenSource.CreateLinkedTokenSource(_itemToken);
    }

    private void OnTimer()
    {
        CancellationTokenSource? cancel = null;
        lock (_gate)
        {
            if (Volatile.Read(ref _reading) == 0 || _state != State.Running)
            {
                // Between reads (the next one arms the timer again), or a race already running.
                return;
            }

            var waited = _time.GetElapsedTime(_readStart);
            if (waited < _deadline)
            {
                // A timer that fired early, or for a read that has since been replaced: wait for the rest.
                _timer.Change(_deadline - waited, Timeout.InfiniteTimeSpan);
                return;
            }

            if (_openHedge is null || Hedges >= MaxHedges)
            {
                _state = State.Stalled;
                cancel = _read;
            }
            else
            {
                _state = State.Hedging;
                Hedges++;
                _hedgeCancel = CancellationTokenSource.CreateLinkedTokenSource(_itemToken);
                _hedgeTask = RunHedgeAsync(_openHedge, _offset, _hedgeCancel.Token);
                (_hedgeCancels ??= new(MaxHedges)).Add(_hedgeCancel);
                (_hedgeTasks ??= new(MaxHedges)).Add(_hedgeTask);
            }
        }

        Cancel(cancel);
    }

    private async Task RunHedgeAsync(Func<long, CancellationToken, Task<Stream?>> openHedge, long offset, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Stream? body;
        try
        {
            body = await openHedge(offset, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A hedge that cannot be opened is a hedge that lost.
            body = null;
        }

        CancellationTokenSource? cancel = null;
        lock (_gate)
        {
            if (_state == State.Hedging)
            {
                cancel = _read;
                if (body is not null)
                {
                    _state = State.HedgeWon;
                    _hedgeBody = body;
                    _hedgeOffset = offset;
                    body = null;
                }
                else
                {
                    _state = State.Stalled;
                }
            }
        }

        Cancel(cancel);
        if (body is not null)
        {
            await body.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Cancel(CancellationTokenSource? source)
    {
        try
        {
            // Outside the lock: cancelling may run the cancelled read's continuation on this thread.
            source?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The race was settled and the token replaced in the meantime.
        }
    }
}
