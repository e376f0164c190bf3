using System.Globalization;
using System.Threading.Channels;
using Haul.Fetching;
using Haul.Input;
using Haul.Writing;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>
/// The journal as a SQLite database in WAL mode at <c>&lt;output&gt;/.haul/journal.db</c>, guarded by an exclusive
/// lock file so that two processes never share a job. Updates go through a channel to one writer task that commits
/// them in batches, so the journal is never the bottleneck; a batch that cannot be written stops the job
/// (<see cref="WriteFailed"/>) rather than being lost without a word.
/// </summary>
public sealed partial class SqliteJobJournal : IJobJournal
{
    /// <summary>The folder inside the output folder that holds the journal, its lock and partial files.</summary>
    public const string StateFolderName = ".haul";

    private const int MaxBatch = 2000;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);

    private readonly SqliteConnection _connection;
    private readonly FileStream? _lock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<object> _updates = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _writeFailed = new();
    private readonly Task _writer;
    private readonly TimeProvider _timeProvider;
    private readonly PathClaims _claims;
    private readonly long _run;
    private Exception? _writeFailure;

    private SqliteJobJournal(SqliteConnection connection, FileStream? lockFile, TimeProvider timeProvider, long run)
    {
        _connection = connection;
        _lock = lockFile;
        _timeProvider = timeProvider;
        _run = run;
        _claims = new PathClaims(connection);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>This run's number: every writable open of a journal is a run.</summary>
    public long Run => _run;

    /// <inheritdoc/>
    public CancellationToken WriteFailed => _writeFailed.Token;

    /// <inheritdoc/>
    public Exception? WriteFailure => Volatile.Read(ref _writeFailure);

    /// <summary>The path of the journal database of an output folder.</summary>
    public static string DatabasePath(string outputDirectory) =>
        Path.Combine(outputDirectory, StateFolderName, "journal.db");

    /// <summary>
    /// Opens the journal of <paramref name="outputDirectory"/> to read it only, without its lock, so that a job can be
    /// looked at while it runs.
    /// </summary>
    public static async Task<SqliteJobJournal> OpenReadOnlyAsync(string outputDirectory, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath(outputDirectory),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return new SqliteJobJournal(connection, null, TimeProvider.System, 0);
    }

    /// <summary>Opens (creating if needed) the journal of <paramref name="outputDirectory"/>.</summary>
    /// <exception cref="JournalLockedException">Another process is using this output folder.</exception>
    /// <exception cref="UnsafePathException">The state folder, its lock or its database is a symbolic link.</exception>
    public static async Task<SqliteJobJournal> OpenAsync(
        string outputDirectory, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var stateFolder = Path.Combine(Path.GetFullPath(outputDirectory), StateFolderName);
        new SafeFileSystem(outputDirectory).CreateFolder(stateFolder);
        var lockPath = Path.Combine(stateFolder, "lock");
        foreach (var file in new[] { lockPath, DatabasePath(outputDirectory), DatabasePath(outputDirectory) + "-wal", DatabasePath(outputDirectory) + "-shm" })
        {
            if (SafeFileSystem.Inspect(file) is (EntryKind.SymbolicLink or EntryKind.Directory or EntryKind.Inaccessible) and var kind)
            {
                throw UnsafePathException.Found(file, kind);
            }
        }

        FileStream lockFile;
        try
        {
            // FileShare.None is an advisory flock on Unix: released by the kernel when the process dies, kill -9 included.
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception) when (exception is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new JournalLockedException(
                $"the journal in '{stateFolder}' is locked: another haul is working on this output folder", exception);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath(outputDirectory),
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        long run;
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await SqliteSchema.ApplyAsync(connection, cancellationToken).ConfigureAwait(false);

            // Whatever was in progress was interrupted, and no claim of an earlier process holds.
            await SqliteSchema.ExecuteAsync(
                connection, "UPDATE items SET state = 0 WHERE state = 1; UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL;", cancellationToken).ConfigureAwait(false);
            using var begin = connection.CreateCommand();
            begin.CommandText = "INSERT INTO runs (started_at) VALUES ($now) RETURNING id;";
            begin.Parameters.AddWithValue("$now", timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            run = (long)(await begin.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception exception) when (exception is SqliteException or InvalidOperationException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            await lockFile.DisposeAsync().ConfigureAwait(false);
            throw new JournalLockedException($"the journal '{DatabasePath(outputDirectory)}' cannot be opened: {exception.Message}", exception);
        }

        return new SqliteJobJournal(connection, lockFile, timeProvider, run);
    }

    /// <inheritdoc/>
    public async Task<JournalAddResult> AddAsync(
        IReadOnlyList<DownloadRequest> requests,
        Func<JournalItem, CancellationToken, ValueTask<bool>>? doneFileIntact,
        CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _connection.BeginTransaction();
            _claims.Transaction = transaction;
            using var adder = new ItemAdder(_connection, transaction, _claims, _run, Now(), doneFileIntact);
            foreach (var request in requests)
            {
                await adder.AddAsync(request, cancellationToken).ConfigureAwait(false);
            }

            await adder.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new JournalAddResult(adder.Items, adder.Skipped) { Inserted = adder.Inserted, Reopened = adder.Reopened, AlreadyDone = adder.AlreadyDone };
        }
        finally
        {
            _claims.Transaction = null;
            _gate.Release();
        }
    }

    /// <summary>Adds a batch of requests, trusting that done items' files are intact.</summary>
    public Task<JournalAddResult> AddAsync(IReadOnlyList<DownloadRequest> requests, CancellationToken cancellationToken) =>
        AddAsync(requests, null, cancellationToken);

    /// <inheritdoc/>
    public async Task AddSkippedAsync(IReadOnlyList<SkippedInput> skipped, CancellationToken cancellationToken)
    {
        if (skipped.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _connection.BeginTransaction();
            await InsertSkippedAsync(transaction, skipped, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task InsertSkippedAsync(SqliteTransaction transaction, IReadOnlyList<SkippedInput> skipped, CancellationToken cancellationToken)
    {
        if (skipped.Count == 0)
        {
            return;
        }

        using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO skipped (source, entry, rule) VALUES ($source, $entry, $rule)
            ON CONFLICT (source, entry) DO UPDATE SET rule = excluded.rule;
            """;
        var source = insert.Parameters.Add("$source", SqliteType.Text);
        var entryText = insert.Parameters.Add("$entry", SqliteType.Text);
        var rule = insert.Parameters.Add("$rule", SqliteType.Text);
        foreach (var entry in skipped)
        {
            source.Value = entry.Source;
            entryText.Value = entry.Text;
            rule.Value = entry.Rule;
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
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
    public async ValueTask DisposeAsync()
    {
        _updates.Writer.TryComplete();
        try
        {
            await _writer.ConfigureAwait(false);
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            if (_lock is not null)
            {
                await _lock.DisposeAsync().ConfigureAwait(false);
            }

            _claims.Dispose();
            _gate.Dispose();
            _writeFailed.Dispose();
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<object>(MaxBatch);
        var reader = _updates.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Gather what arrives within a short window, so many updates share one commit; a waiter (a flush or a
            // commit) ends the window at once. The window is wall-clock time on purpose: it is a throughput knob,
            // not a deadline a test would want to control.
            using (var window = new CancellationTokenSource(BatchWindow))
            {
                try
                {
                    while (batch.Count < MaxBatch)
                    {
                        if (reader.TryRead(out var next))
                        {
                            batch.Add(next);
                            if (next is TaskCompletionSource)
                            {
                                break;
                            }

                            continue;
                        }

                        if (!await reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }

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
