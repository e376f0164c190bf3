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

        // The journal holds the job's cookies: 0700 on the folder keeps others out before the first byte is written.
        OwnerOnly.RestrictFolder(stateFolder);
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

            // SQLite creates its -wal and -shm with the database's mode, so these stay 0600 when it makes them again.
            foreach (var file in new[] { DatabasePath(outputDirectory), DatabasePath(outputDirectory) + "-wal", DatabasePath(outputDirectory) + "-shm" })
            {
                OwnerOnly.RestrictFile(file);
            }

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
}
