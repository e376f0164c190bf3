using Haul.Journal;
using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>
/// Keeps a worker's claims alive in a shared journal: every quarter of the lease it renews them and records its
/// heartbeat. A missed beat is logged and tried again at the next; a worker that stops beating for a whole lease (killed,
/// stopped, cut off) loses its items to the others, and its fencing tokens keep it from finishing them. A worker that
/// ends, finished or interrupted, leaves the job: what it still held is released for the others at once.
/// </summary>
internal sealed class LeaseHeartbeat : IAsyncDisposable
{
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ISharedJobJournal _journal;
    private readonly string _owner;
    private readonly ILogger _logger;

    public LeaseHeartbeat(ISharedJobJournal journal, string owner, TimeSpan lease, TimeProvider time, ILogger logger)
    {
        _journal = journal;
        _owner = owner;
        _logger = logger;
        _loop = Task.Run(() => BeatAsync(lease, time, _stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.HeartbeatMissed(_logger, exception.Message);
        }

        _stop.Dispose();
        try
        {
            using var timeout = new CancellationTokenSource(LeaveTimeout);
            await _journal.LeaveAsync(_owner, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Its leases expire on their own.
            Log.HeartbeatMissed(_logger, exception.Message);
        }
    }

    /// <summary>Told, after each beat, how many workers are on the job (<see cref="ISharedJobJournal.CountWorkersAsync"/>).</summary>
    public Action<int>? WorkersCounted { get; set; }

    private async Task BeatAsync(TimeSpan lease, TimeProvider time, CancellationToken stop)
    {
        var every = lease / 4;
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // The first beat at once: it records the lease the worker's claims get, by which others judge it gone.
                if (!first)
                {
                    await Task.Delay(every, time, stop).ConfigureAwait(false);
                }

                first = false;
                await _journal.HeartbeatAsync(_owner, lease, stop).ConfigureAwait(false);
                if (WorkersCounted is { } counted)
                {
                    counted(await _journal.CountWorkersAsync(lease, stop).ConfigureAwait(false));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.HeartbeatMissed(_logger, exception.Message);
            }
        }
    }
}
