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
public sealed class SqliteJobJournal : IJobJournal
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
    private Exception? _writeFailure;

    private SqliteJobJournal(SqliteConnection connection, FileStream? lockFile, TimeProvider timeProvider)
    {
        _connection = connection;
        _lock = lockFile;
        _timeProvider = timeProvider;
        _writer = Task.Run(WriteLoopAsync);
    }

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
        return new SqliteJobJournal(connection, null, TimeProvider.System);
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
            if (SafeFileSystem.Inspect(file) is EntryKind.SymbolicLink or EntryKind.Directory)
            {
                throw new UnsafePathException($"'{file}' is a symbolic link or a folder; Haul does not write through links");
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
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await SqliteSchema.ApplyAsync(connection, cancellationToken).ConfigureAwait(false);
            await SqliteSchema.ExecuteAsync(connection, "UPDATE items SET state = 0 WHERE state = 1;", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SqliteException or InvalidOperationException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            await lockFile.DisposeAsync().ConfigureAwait(false);
            throw new JournalLockedException($"the journal '{DatabasePath(outputDirectory)}' cannot be opened: {exception.Message}", exception);
        }

        return new SqliteJobJournal(connection, lockFile, timeProvider);
    }

    /// <inheritdoc/>
    public async Task<JournalAddResult> AddAsync(IReadOnlyList<DownloadRequest> requests, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = _connection.BeginTransaction();
            using var adder = new ItemAdder(_connection, transaction, existing, Now());
            foreach (var request in requests)
            {
                await adder.AddAsync(request, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new JournalAddResult(adder.Items, adder.Skipped);
        }
        finally
        {
            _gate.Release();
        }
    }

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

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
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
    public async Task<IReadOnlyList<JournalItem>> ReadItemsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadAllAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AttemptRecord>> ReadAttemptsAsync(long itemId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT started_at, elapsed_ms, reason, status, range_start, bytes, detail FROM attempts WHERE item_id = $id ORDER BY rowid;";
            command.Parameters.AddWithValue("$id", itemId);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var attempts = new List<AttemptRecord>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                attempts.Add(new AttemptRecord(
                    DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                    TimeSpan.FromMilliseconds(reader.GetInt64(1)),
                    FailureReasons.Parse(reader.GetString(2)),
                    reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    reader.GetInt64(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }

            return attempts;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SkippedInput>> ReadSkippedAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT entry, source, rule FROM skipped ORDER BY id;";
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var skipped = new List<SkippedInput>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                skipped.Add(new SkippedInput(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }

            return skipped;
        }
        finally
        {
            _gate.Release();
        }
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
                Volatile.Write(ref _writeFailure, exception);
                _updates.Writer.TryComplete();
                await _writeFailed.CancelAsync().ConfigureAwait(false);
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

    private async Task<List<JournalItem>> ReadAllAsync(CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT id, url, kind, state, output_path, expected_sha256, attempts, last_reason, last_status, bytes,
                   total_size, etag, last_modified, sha256, note, last_detail, file_modified, backup_path
            FROM items ORDER BY id;
            """;
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<JournalItem>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(new JournalItem
            {
                Id = reader.GetInt64(0),
                Url = reader.GetString(1),
                Kind = (ItemKind)reader.GetInt32(2),
                State = (ItemState)reader.GetInt32(3),
                OutputPath = reader.IsDBNull(4) ? null : reader.GetString(4),
                ExpectedSha256 = reader.IsDBNull(5) ? null : reader.GetString(5),
                Attempts = reader.GetInt32(6),
                LastReason = reader.IsDBNull(7) ? FailureReason.None : FailureReasons.Parse(reader.GetString(7)),
                LastStatus = reader.IsDBNull(8) ? null : reader.GetInt32(8),
                Bytes = reader.GetInt64(9),
                TotalSize = reader.IsDBNull(10) ? null : reader.GetInt64(10),
                ETag = reader.IsDBNull(11) ? null : reader.GetString(11),
                LastModified = reader.IsDBNull(12) ? null : reader.GetString(12),
                Sha256 = reader.IsDBNull(13) ? null : reader.GetString(13),
                Note = reader.IsDBNull(14) ? null : reader.GetString(14),
                LastDetail = reader.IsDBNull(15) ? null : reader.GetString(15),
                FileModified = reader.IsDBNull(16) ? null : reader.GetInt64(16),
                BackupPath = reader.IsDBNull(17) ? null : reader.GetString(17),
            });
        }

        return items;
    }

    private string Now() => _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}
