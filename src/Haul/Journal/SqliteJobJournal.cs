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
    public async Task<IReadOnlyList<HostWork>> ReadHostsWithWorkAsync(int limit, IReadOnlySet<string> except, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT host, not_before, reason FROM hosts WHERE pending > 0 ORDER BY not_before LIMIT $limit;";
            command.Parameters.AddWithValue("$limit", limit + except.Count);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var hosts = new List<HostWork>();
            while (hosts.Count < limit && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var host = reader.GetString(0);
                if (!except.Contains(host))
                {
                    hosts.Add(new HostWork(host, reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
                }
            }

            return hosts;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<JournalItem>> ClaimAsync(JournalClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"""
                UPDATE items SET lease_owner = $owner, lease_token = lease_token + 1, lease_until = $until
                WHERE id IN (
                    SELECT id FROM items
                    WHERE host = $host AND state = 0 AND id > $after
                      AND (lease_owner IS NULL OR (lease_owner <> $owner AND lease_until < $now))
                    ORDER BY id LIMIT $limit)
                RETURNING {ItemAdder.SelectColumns};
                """;
            command.Parameters.AddWithValue("$owner", claim.Owner);
            command.Parameters.AddWithValue("$until", claim.Until);
            command.Parameters.AddWithValue("$host", claim.Host);
            command.Parameters.AddWithValue("$after", claim.AfterId);
            command.Parameters.AddWithValue("$limit", claim.Limit);
            command.Parameters.AddWithValue("$now", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var items = new List<JournalItem>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(ItemAdder.Read(reader));
            }

            items.Sort(static (a, b) => a.Id.CompareTo(b.Id));
            return items;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<JournalCounts> ReadCountsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var counts = new JournalCounts();
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT state, items, bytes FROM counts;";
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    counts.Add((ItemState)reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2));
                }
            }

            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT last_reason, COUNT(*) FROM items WHERE state = 3 GROUP BY last_reason;";
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    counts.FailuresByReason[reader.IsDBNull(0) ? FailureReason.Unknown : FailureReasons.Parse(reader.GetString(0))] = reader.GetInt32(1);
                }
            }

            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT (SELECT COUNT(*) FROM skipped), (SELECT COUNT(*) FROM items WHERE backup_path IS NOT NULL AND state = 2);";
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                counts.SkippedEntries = reader.GetInt32(0);
                counts.Backups = reader.GetInt32(1);
            }

            return counts;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<JournalItem> ReadItemsAsync(
        ItemState state, bool withBackupOnly, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Pages by id, the gate held only while a page is read, so a long report never stalls the writer.
        long after = 0;
        while (true)
        {
            List<JournalItem> page;
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var command = _connection.CreateCommand();
                command.CommandText = $"""
                    SELECT {ItemAdder.SelectColumns} FROM items
                    WHERE state = $state AND id > $after {(withBackupOnly ? "AND backup_path IS NOT NULL" : string.Empty)}
                    ORDER BY id LIMIT 1000;
                    """;
                command.Parameters.AddWithValue("$state", (int)state);
                command.Parameters.AddWithValue("$after", after);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                page = [];
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    page.Add(ItemAdder.Read(reader));
                }
            }
            finally
            {
                _gate.Release();
            }

            foreach (var item in page)
            {
                yield return item;
            }

            if (page.Count < 1000)
            {
                yield break;
            }

            after = page[^1].Id;
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
    public async IAsyncEnumerable<SkippedInput> ReadSkippedAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var page = new List<(long Id, SkippedInput Entry)>();
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var command = _connection.CreateCommand();
                command.CommandText = "SELECT id, entry, source, rule FROM skipped WHERE id > $after ORDER BY id LIMIT 1000;";
                command.Parameters.AddWithValue("$after", after);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    page.Add((reader.GetInt64(0), new SkippedInput(reader.GetString(1), reader.GetString(2), reader.GetString(3))));
                }
            }
            finally
            {
                _gate.Release();
            }

            foreach (var (_, entry) in page)
            {
                yield return entry;
            }

            if (page.Count < 1000)
            {
                yield break;
            }

            after = page[^1].Id;
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
        command.CommandText = $"SELECT {ItemAdder.SelectColumns} FROM items ORDER BY id;";
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<JournalItem>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(ItemAdder.Read(reader));
        }

        return items;
    }

    private string Now() => _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}
