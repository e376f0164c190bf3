using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>
/// The journal's batched writes: updates queue on a channel, and one writer task sends what arrives within a short
/// window as one <see cref="NpgsqlBatch"/> (one round trip); a waiter ends the window at once. A batch that fails stops
/// the journal. A batch needs no explicit transaction: PostgreSQL runs a batch's statements, sent together up to one
/// sync, as one implicit transaction that ends without waiting for the client. An explicit one would hold its rows locked
/// between the last statement and the commit: a worker frozen there (stopped, swapped out, cut off) would keep others
/// from its items long after its leases ended.
/// </summary>
public sealed partial class PostgresJobJournal
{
    private const int MaxBatch = 2000;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">
    /// A worker joined the job (<see cref="JoinAsync"/>) and <paramref name="update"/>, made under a claim, carries no
    /// lease token: it could change an item another worker holds now.
    /// </exception>
    public void Record(JournalUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (_owner is not null && Unfenced(update))
        {
            throw new ArgumentException($"{update.GetType().Name} of item {update.ItemId} carries no lease token in a shared job", nameof(update));
        }

        _updates.Writer.TryWrite(update);
    }

    /// <summary>An update that only a claim's holder makes, without the claim's token.</summary>
    private static bool Unfenced(JournalUpdate update) => update is ItemStarted { LeaseToken: null }
        or ValidatorsSeen { LeaseToken: null }
        or AttemptFinished { LeaseToken: null }
        or ItemStaged { LeaseToken: null }
        or ItemDeferred { LeaseToken: null };

    /// <inheritdoc/>
    public Task CommitAsync(JournalUpdate update, CancellationToken cancellationToken)
    {
        Record(update);
        return FlushAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
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

    /// <inheritdoc/>
    public async Task<bool> FinishAsync(JournalUpdate finish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finish);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await PostgresRetry.RunAsync(
            async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var batch = new NpgsqlBatch(connection);
                var finishing = PostgresUpdateWriter.Add(batch, finish, JobId, Now(), (_owner, Holder));
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return finishing.RecordsAffected > 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<object>(MaxBatch);
        while (await UpdateBatches.GatherAsync(_updates.Reader, batch, MaxBatch, BatchWindow).ConfigureAwait(false))
        {
            await WriteBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<object> batch)
    {
        var failure = WriteFailure;
        if (failure is null && batch.Exists(static entry => entry is JournalUpdate))
        {
            try
            {
                await PostgresRetry.RunAsync(
                    async () =>
                    {
                        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
                        await using var commands = new NpgsqlBatch(connection);
                        var now = Now();
                        foreach (var entry in batch)
                        {
                            if (entry is JournalUpdate update)
                            {
                                PostgresUpdateWriter.Add(commands, update, JobId, now, (_owner, Holder));
                            }
                        }

                        await commands.ExecuteNonQueryAsync().ConfigureAwait(false);
                    },
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Nothing of this batch is committed; the job stops, and what it did not record a rerun finds again.
                failure = exception;
                await FailAsync(exception).ConfigureAwait(false);
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

    private async Task FailAsync(Exception exception)
    {
        Interlocked.CompareExchange(ref _writeFailure, exception, null);
        _updates.Writer.TryComplete();
        await _writeFailed.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>The client's clock in Unix milliseconds: only to turn a client's time into a delay from now.</summary>
    private long Now() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}
