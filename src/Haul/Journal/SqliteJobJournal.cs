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
/// them in batches, so the journal is never the bottleneck.
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
    private readonly Task _writer;
    private readonly TimeProvider _timeProvider;

    private SqliteJobJournal(SqliteConnection connection, FileStream? lockFile, TimeProvider timeProvider)
    {
        _connection = connection;
        _lock = lockFile;
        _timeProvider = timeProvider;
        _writer = Task.Run(WriteLoopAsync);
    }

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
    public static async Task<SqliteJobJournal> OpenAsync(
        string outputDirectory, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var stateFolder = Path.Combine(outputDirectory, StateFolderName);
        Directory.CreateDirectory(stateFolder);
        FileStream lockFile;
        try
        {
            // FileShare.None is an advisory flock on Unix: released by the kernel when the process dies, kill -9 included.
            lockFile = new FileStream(Path.Combine(stateFolder, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
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
            await ExecuteAsync(connection, Schema, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "UPDATE items SET state = 0 WHERE state = 1;", cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException exception)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            await lockFile.DisposeAsync().ConfigureAwait(false);
            throw new JournalLockedException($"the journal '{DatabasePath(outputDirectory)}' cannot be opened: {exception.Message}", exception);
        }

        return new SqliteJobJournal(connection, lockFile, timeProvider);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<JournalItem>> AddAsync(IReadOnlyList<DownloadRequest> requests, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
            var byUrl = existing.Where(i => i.State != ItemState.Skipped).ToDictionary(i => i.Url, StringComparer.Ordinal);

            // Case-insensitive, so that a job gives the same names on every file system.
            var takenPaths = new HashSet<string>(
                existing.Where(i => i.OutputPath is not null).Select(i => i.OutputPath!), StringComparer.OrdinalIgnoreCase);
            var takenFolders = new HashSet<string>(takenPaths.SelectMany(FoldersOf), StringComparer.OrdinalIgnoreCase);
            var result = new List<JournalItem>(requests.Count);
            var seen = new HashSet<long>();

            using var transaction = _connection.BeginTransaction();
            using var insert = _connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO items (url, kind, state, output_path, expected_sha256, updated_at) VALUES ($url, 0, 0, $path, $sha, $now) RETURNING id;";
            var urlParameter = insert.Parameters.Add("$url", SqliteType.Text);
            var pathParameter = insert.Parameters.Add("$path", SqliteType.Text);
            var shaParameter = insert.Parameters.Add("$sha", SqliteType.Text);
            var nowParameter = insert.Parameters.Add("$now", SqliteType.Text);
            using var reopen = _connection.CreateCommand();
            reopen.Transaction = transaction;
            reopen.CommandText = "UPDATE items SET state = 0 WHERE id = $id AND state <> 2;";
            var reopenId = reopen.Parameters.Add("$id", SqliteType.Integer);
            var now = Now();

            foreach (var request in requests)
            {
                var url = request.Url.AbsoluteUri;
                if (byUrl.TryGetValue(url, out var item))
                {
                    if (seen.Add(item.Id))
                    {
                        if (item.State != ItemState.Done)
                        {
                            reopenId.Value = item.Id;
                            await reopen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                            item = item with { State = ItemState.Pending };
                        }

                        result.Add(item);
                    }

                    continue;
                }

                var path = ClaimPath(
                    request.OutputPath is { } chosen ? OutputPathMapper.SanitizeRelative(chosen) : OutputPathMapper.Map(request.Url),
                    url,
                    takenPaths,
                    takenFolders);

                urlParameter.Value = url;
                pathParameter.Value = path;
                shaParameter.Value = (object?)request.ExpectedSha256 ?? DBNull.Value;
                nowParameter.Value = now;
                var id = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                item = new JournalItem { Id = id, Url = url, OutputPath = path, ExpectedSha256 = request.ExpectedSha256 };
                byUrl[url] = item;
                seen.Add(id);
                result.Add(item);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes <paramref name="path"/> unique among the files and folders of the job, with deterministic suffixes: a path
    /// never names a file where another item has a file or a folder, and never runs through another item's file.
    /// </summary>
    private static string ClaimPath(string path, string url, HashSet<string> files, HashSet<string> folders)
    {
        while (FoldersOf(path).FirstOrDefault(files.Contains) is { } blocked)
        {
            // Another item's file sits where this path needs a folder: this path's folder gets the suffix.
            path = Unique(blocked, url, candidate => !files.Contains(candidate)) + path[blocked.Length..];
        }

        path = Unique(path, url, candidate => !files.Contains(candidate) && !folders.Contains(candidate));
        files.Add(path);
        folders.UnionWith(FoldersOf(path));
        return path;
    }

    private static string Unique(string path, string url, Func<string, bool> isFree)
    {
        if (isFree(path))
        {
            return path;
        }

        path = OutputPathMapper.AddSuffix(path, "~" + OutputPathMapper.ShortHash(url));
        for (var n = 2; !isFree(path); n++)
        {
            path = OutputPathMapper.AddSuffix(path, "~" + n.ToString(CultureInfo.InvariantCulture));
        }

        return path;
    }

    /// <summary>The folders a relative path runs through, outermost first: <c>a/b/c.jpg</c> gives <c>a</c>, <c>a/b</c>.</summary>
    private static IEnumerable<string> FoldersOf(string path)
    {
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            yield return path[..slash];
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
                INSERT INTO items (url, kind, state, note, updated_at) VALUES ($url, 0, 4, $note, $now)
                ON CONFLICT (url) DO UPDATE SET note = excluded.note WHERE items.state = 4;
                """;
            var url = insert.Parameters.Add("$url", SqliteType.Text);
            var note = insert.Parameters.Add("$note", SqliteType.Text);
            insert.Parameters.AddWithValue("$now", Now());
            foreach (var entry in skipped)
            {
                url.Value = entry.Text;
                note.Value = $"{entry.Source}: {entry.Rule}";
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
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_updates.Writer.TryWrite(flushed))
        {
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
            command.CommandText = "SELECT started_at, elapsed_ms, reason, status, range_start, bytes FROM attempts WHERE item_id = $id ORDER BY rowid;";
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
                    reader.GetInt64(5)));
            }

            return attempts;
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
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<object>(MaxBatch);
        var reader = _updates.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Gather what arrives within a short window, so many updates share one commit. The window is wall-clock
            // time on purpose: it is a throughput knob, not a deadline a test would want to control.
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
        Exception? failure = null;
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
            failure = exception;
        }
        finally
        {
            _gate.Release();
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
                    flushed.TrySetException(failure);
                }
            }
        }
    }

    private async Task<List<JournalItem>> ReadAllAsync(CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT id, url, kind, state, output_path, expected_sha256, attempts, last_reason, last_status, bytes,
                   total_size, etag, last_modified, sha256, note
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
            });
        }

        return items;
    }

    private string Now() => _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private const string Schema = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        CREATE TABLE IF NOT EXISTS items (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            kind INTEGER NOT NULL,
            state INTEGER NOT NULL,
            output_path TEXT UNIQUE,
            expected_sha256 TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_reason TEXT,
            last_status INTEGER,
            bytes INTEGER NOT NULL DEFAULT 0,
            total_size INTEGER,
            etag TEXT,
            last_modified TEXT,
            sha256 TEXT,
            note TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS attempts (
            item_id INTEGER NOT NULL REFERENCES items (id),
            started_at TEXT NOT NULL,
            elapsed_ms INTEGER NOT NULL,
            reason TEXT NOT NULL,
            status INTEGER,
            range_start INTEGER,
            bytes INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS attempts_item ON attempts (item_id);
        CREATE INDEX IF NOT EXISTS items_state ON items (state);
        """;
}
