using System.Diagnostics;
using System.Globalization;

namespace Haul.Journal;

/// <summary>
/// The journal's batched writes: updates queue on a channel, and one writer task commits what arrives within a short
/// window in one transaction; a waiter ends the window at once. A batch that fails stops the journal.
/// </summary>
public sealed partial class SqliteJobJournal
{
    private const int MaxBatch = 2000;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);

    private readonly CommitGrouping _grouping = new();

    /// <summary>
    /// How many workers may commit at once (the job's concurrency); with more than one, commits that come fast are
    /// grouped (<see cref="CommitGrouping"/>). One by default.
    /// </summary>
    internal int Committers
    {
        get => _grouping.Committers;
        set => _grouping.Committers = value;
    }

    /// <inheritdoc/>
    public void Record(JournalUpdate update) => _updates.Writer.TryWrite(update);

    /// <inheritdoc/>
    public Task CommitAsync(JournalUpdate update, CancellationToken cancellationToken)
    {
        Record(update);
        return FlushAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<bool> FinishAsync(JournalUpdate finish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finish);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _connection.BeginTransaction();
            using var writer = new UpdateWriter(_connection, transaction, Now());
            var applied = await writer.WriteAsync(finish).ConfigureAwait(false) > 0;
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return applied;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Wall-clock time, as the batch window's: a throughput knob, not a deadline tests control.
        _grouping.Arrived(Stopwatch.GetTimestamp());
        if (!_updates.Writer.TryWrite(flushed))
        {
            if (WriteFailure is { } failure)
            {
                throw new JournalWriteException(failure.Message, failure);
            }

            return;
        }

        await flushed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<object>(MaxBatch);
        while (await UpdateBatches.GatherAsync(_updates.Reader, batch, MaxBatch, BatchWindow, _grouping.Linger, _grouping.Committers).ConfigureAwait(false))
        {
            await WriteBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<object> batch)
    {
        var failure = WriteFailure;
        if (failure is null)
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                using var transaction = _connection.BeginTransaction();
                using var writer = new UpdateWriter(_connection, transaction, Now());
                foreach (var entry in batch)
                {
                    if (entry is JournalUpdate update)
                    {
                        await writer.WriteAsync(update).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Nothing of this batch is committed. The job stops; what it did not record, the next run finds again
                // (a file at its final path is only ever there after its staged record was committed).
                failure = exception;
                await FailAsync(exception).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        foreach (var entry in batch)
        {
            if (entry is TaskCompletionSource flushed)
            {
                if (failure is null)
                {
                    flushed.TrySetResult();
                }
                else
                {
                    flushed.TrySetException(new JournalWriteException(failure.Message, failure));
                }
            }
        }
    }

    /// <summary>Stops the journal after a write that could not be made: no more updates are taken, and the job is told.</summary>
    private async Task FailAsync(Exception exception)
    {
        Interlocked.CompareExchange(ref _writeFailure, exception, null);
        _updates.Writer.TryComplete();
        await _writeFailed.CancelAsync().ConfigureAwait(false);
    }

    private string Now() => _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}
