using System.Threading.Channels;
using Haul.Input;
using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>
/// The journal of one job in a PostgreSQL database that many jobs, and many workers of a job, share. Claims are leases
/// taken with <c>FOR UPDATE SKIP LOCKED</c>, each with an owner, an expiry in the database's clock and a new fencing
/// token; finishing an item is applied only under the token of its latest claim. Updates are batched like the SQLite
/// journal's: one writer task sends what arrives within a short window as one batch in one transaction, and a batch
/// that cannot be written stops the job (<see cref="WriteFailed"/>). Connections come from an
/// <see cref="NpgsqlDataSource"/>, one for each operation.
/// </summary>
public sealed partial class PostgresJobJournal : IJobJournal
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly Channel<object> _updates = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _writeFailed = new();
    private readonly Task _writer;
    private readonly TimeProvider _timeProvider;
    private Exception? _writeFailure;

    private PostgresJobJournal(NpgsqlDataSource dataSource, bool ownsDataSource, long jobId, long run, TimeProvider timeProvider)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        JobId = jobId;
        Run = run;
        _timeProvider = timeProvider;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The job's key in the database.</summary>
    public long JobId { get; }

    /// <summary>This run's number: every open of a job is a run.</summary>
    public long Run { get; }

    /// <inheritdoc/>
    public CancellationToken WriteFailed => _writeFailed.Token;

    /// <inheritdoc/>
    public Exception? WriteFailure => Volatile.Read(ref _writeFailure);

    /// <summary>
    /// Opens (creating if needed) the job <paramref name="job"/> in the database of <paramref name="connectionString"/>
    /// (an Npgsql connection string), creating or migrating the schema first. The journal owns the data source it makes.
    /// </summary>
    public static Task<PostgresJobJournal> OpenAsync(
        string connectionString, string job, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        OpenAsync(connectionString, job, create: true, timeProvider, cancellationToken);

    /// <summary>
    /// Opens the job <paramref name="job"/>, creating it (and starting a run) only when <paramref name="create"/> says so:
    /// a worker that joins a job must not start an empty one under a mistyped name, and it adds nothing.
    /// </summary>
    /// <exception cref="JournalJobNotFoundException">The job does not exist and <paramref name="create"/> is false.</exception>
    public static async Task<PostgresJobJournal> OpenAsync(
        string connectionString, string job, bool create, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString);
        try
        {
            return await OpenAsync(dataSource, ownsDataSource: true, job, create, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Opens the job <paramref name="job"/> to read it, changing nothing: the schema is checked, not created or
    /// migrated, no run is started, and every statement runs in a read-only transaction.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database holds no Haul tables, or tables of another version.</exception>
    /// <exception cref="JournalJobNotFoundException">The job does not exist.</exception>
    public static async Task<PostgresJobJournal> OpenReadOnlyAsync(
        string connectionString, string job, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(job);
        ArgumentNullException.ThrowIfNull(timeProvider);
        // Every transaction of its connections is read-only; set on each new connection rather than as a startup option,
        // which a connection pooler (PgBouncer) refuses.
        const string ReadOnly = "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;";
        var dataSource = new NpgsqlDataSourceBuilder(connectionString)
            .UsePhysicalConnectionInitializer(
                connection =>
                {
                    using var command = new NpgsqlCommand(ReadOnly, connection);
                    command.ExecuteNonQuery();
                },
                async connection =>
                {
                    await using var command = new NpgsqlCommand(ReadOnly, connection);
                    await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                })
            .Build();
        return await OpenExistingAsync(dataSource, job, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens the existing <paramref name="job"/> through <paramref name="dataSource"/>, which it owns from now on (and
    /// disposes of when it fails): the schema is checked, not created or migrated, and no run is started.
    /// </summary>
    private static async Task<PostgresJobJournal> OpenExistingAsync(
        NpgsqlDataSource dataSource, string job, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await PostgresSchema.CheckAsync(connection, cancellationToken).ConfigureAwait(false);
            var (jobId, run) = await FindJobAsync(connection, job, cancellationToken).ConfigureAwait(false);
            return new PostgresJobJournal(dataSource, ownsDataSource: true, jobId, run, timeProvider);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens (creating if needed) a job through a data source the caller owns and disposes of.</summary>
    public static Task<PostgresJobJournal> OpenAsync(
        NpgsqlDataSource dataSource, string job, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        OpenAsync(dataSource, ownsDataSource: false, job, create: true, timeProvider, cancellationToken);

    private static async Task<PostgresJobJournal> OpenAsync(
        NpgsqlDataSource dataSource, bool ownsDataSource, string job, bool create, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(job);
        ArgumentNullException.ThrowIfNull(timeProvider);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await PostgresSchema.ApplyAsync(connection, cancellationToken).ConfigureAwait(false);
        if (!create)
        {
            var (jobId, run) = await FindJobAsync(connection, job, cancellationToken).ConfigureAwait(false);
            return new PostgresJobJournal(dataSource, ownsDataSource, jobId, run, timeProvider);
        }

        await using var command = new NpgsqlCommand(
            """
            WITH job AS (
                INSERT INTO jobs (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id)
            INSERT INTO runs (job_id) SELECT id FROM job RETURNING job_id, id;
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = job });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new PostgresJobJournal(dataSource, ownsDataSource, reader.GetInt64(0), reader.GetInt64(1), timeProvider);
    }

    /// <summary>The key of an existing job and its latest run.</summary>
    /// <exception cref="JournalJobNotFoundException">The job does not exist.</exception>
    private static async Task<(long Job, long Run)> FindJobAsync(NpgsqlConnection connection, string job, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id, coalesce((SELECT max(r.id) FROM runs r WHERE r.job_id = jobs.id), 0) FROM jobs WHERE name = $1;", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = job });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new JournalJobNotFoundException($"the journal has no job '{job}'");
        }

        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <inheritdoc/>
    public async Task<JournalAddResult> AddAsync(
        IReadOnlyList<DownloadRequest> requests,
        Func<JournalItem, CancellationToken, ValueTask<bool>>? doneFileIntact,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // A done file in another worker's folder is that worker's to check: this one cannot see it.
        var holder = Holder;
        var check = doneFileIntact is null || holder is null
            ? doneFileIntact
            : (item, token) => item.Holder is { } other && other != holder ? ValueTask.FromResult(true) : doneFileIntact(item, token);
        var adder = await PostgresItemAdder.StartAsync(connection, transaction, JobId, Run, Now(), check, cancellationToken).ConfigureAwait(false);
        await adder.AddAsync(requests, cancellationToken).ConfigureAwait(false);
        await adder.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new JournalAddResult(adder.Items, adder.Skipped) { Inserted = adder.Inserted, Reopened = adder.Reopened, AlreadyDone = adder.AlreadyDone };
    }

    /// <summary>Adds a batch of requests, trusting that done items' files are intact.</summary>
    public Task<JournalAddResult> AddAsync(IReadOnlyList<DownloadRequest> requests, CancellationToken cancellationToken) =>
        AddAsync(requests, null, cancellationToken);

    /// <inheritdoc/>
    public async Task AddSkippedAsync(IReadOnlyList<SkippedInput> skipped, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        if (skipped.Count == 0)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await InsertSkippedAsync(connection, null, skipped, cancellationToken).ConfigureAwait(false);
    }

    private async Task InsertSkippedAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<SkippedInput> skipped, CancellationToken cancellationToken)
    {
        if (skipped.Count == 0)
        {
            return;
        }

        // One statement for the batch; within it the last entry of a (source, entry) wins, as one upsert after another would.
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO skipped (job_id, source, entry, rule)
            SELECT $1, source, entry, (array_agg(rule ORDER BY n DESC))[1]
            FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS s (source, entry, rule, n)
            GROUP BY source, entry ORDER BY min(n)
            ON CONFLICT (job_id, source, entry) DO UPDATE SET rule = excluded.rule;
            """,
            connection,
            transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = JobId });
        insert.Parameters.Add(new NpgsqlParameter { Value = skipped.Select(s => s.Source).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = skipped.Select(s => s.Text).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = skipped.Select(s => s.Rule).ToArray() });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
            if (_ownsDataSource)
            {
                await _dataSource.DisposeAsync().ConfigureAwait(false);
            }

            _writeFailed.Dispose();
        }
    }
}
