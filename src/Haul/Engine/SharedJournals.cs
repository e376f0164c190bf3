using Haul.Journal;
using Haul.Journal.Postgres;
using Haul.Writing;
using Npgsql;

namespace Haul.Engine;

/// <summary>Opens a job's journal that many workers share, and joins this worker to it, with one-line errors.</summary>
internal static class SharedJournals
{
    /// <summary>
    /// Opens <paramref name="job"/> and joins this worker (<paramref name="owner"/>, its files in <paramref name="root"/>).
    /// A folder with a journal of its own, or with the files of another shared job, is refused: the two would mix their
    /// files.
    /// </summary>
    /// <remarks>
    /// <paramref name="beforeJoin"/> runs on the open journal before the folder is marked as the job's and the worker
    /// joins: a command it refuses leaves neither a mark in the folder nor a worker in the job.
    /// </remarks>
    public static async Task<PostgresJobJournal> OpenAsync(
        SharedJob job,
        string root,
        string owner,
        Func<PostgresJobJournal, CancellationToken, Task>? beforeJoin,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (File.Exists(SqliteJobJournal.DatabasePath(root)))
        {
            throw new OutputFolderException(
                $"'{root}' holds the journal of a job of its own ({SqliteJobJournal.StateFolderName}/journal.db); give a shared job a folder of its own");
        }

        var connectionString = PostgresConnection.Parse(job.Journal);
        var database = Database(connectionString);
        CheckMarker(job, root, database, verifying: false);

        return await OpenAsync(
            job,
            token => PostgresJobJournal.OpenAsync(connectionString, job.Name, !job.MustExist, time, token),
            async (journal, token) =>
            {
                if (beforeJoin is not null)
                {
                    await beforeJoin(journal, token).ConfigureAwait(false);
                }

                WriteMarker(job, root, database);
                await journal.ReleaseGoneAsync(Holder(root), IsGoneFromThisMachine, token).ConfigureAwait(false);
                await journal.JoinAsync(owner, Holder(root), token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens <paramref name="job"/> to read it (<c>haul status</c>), changing nothing: a database without Haul's tables
    /// is not given them, nor one of an older Haul migrated.
    /// </summary>
    public static Task<PostgresJobJournal> OpenReadOnlyAsync(SharedJob job, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(
            job,
            token => PostgresJobJournal.OpenReadOnlyAsync(PostgresConnection.Parse(job.Journal), job.Name, time, token),
            static (_, _) => Task.CompletedTask,
            cancellationToken);

    /// <summary>
    /// Opens <paramref name="job"/> to check the done files of the worker folder <paramref name="root"/> and put the
    /// missing or changed ones back to pending (<c>haul verify --journal … --job …</c>). It does not join the job, start
    /// a run, or create or migrate tables: the database must hold the job already, at this Haul's schema. The folder
    /// must be one of this job's, in this database (its marker says so); a folder with a journal of its own is refused.
    /// </summary>
    public static async Task<PostgresJobJournal> OpenToVerifyAsync(SharedJob job, string root, TimeProvider time, CancellationToken cancellationToken)
    {
        if (File.Exists(SqliteJobJournal.DatabasePath(root)))
        {
            throw new OutputFolderException(
                $"'{root}' holds the journal of a job of its own ({SqliteJobJournal.StateFolderName}/journal.db), not files of a shared job; verify it with haul verify {root}, without --journal");
        }

        var connectionString = PostgresConnection.Parse(job.Journal);
        if (ReadMarkerLines(root) is null)
        {
            throw new OutputFolderException(
                $"'{root}' holds no files of a shared job (no {SqliteJobJournal.StateFolderName}/shared-job); give the folder a worker of the job '{job.Name}' downloaded into");
        }

        CheckMarker(job, root, Database(connectionString), verifying: true);
        return await OpenAsync(
            job,
            token => PostgresJobJournal.OpenExistingAsync(connectionString, job.Name, time, token),
            static (_, _) => Task.CompletedTask,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Where a process id names this process: this boot of the machine and this process namespace (containers with one
    /// host name have their own), as a short hash; <c>-</c> where that cannot be told (no <c>/proc</c>), and then no
    /// worker is judged gone by its process.
    /// </summary>
    internal static readonly string ProcessScope = ReadProcessScope();

    private const string UnknownScope = "-";

    /// <summary>
    /// Whether the worker of <paramref name="owner"/> (<c>machine/process/random/scope</c>, <see cref="DownloadJob"/>) ran
    /// on this machine, in this boot and process namespace (<see cref="ProcessScope"/>), in a process that is no longer
    /// running. Other workers, any whose process id is in use (even by another program), and any whose key is not of
    /// this form, are not judged: their leases tell.
    /// </summary>
    internal static bool IsGoneFromThisMachine(string owner)
    {
        var parts = owner.Split('/');
        if (parts.Length != 4 || parts[0] != Environment.MachineName || parts[3] != ProcessScope || ProcessScope == UnknownScope
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var processId))
        {
            return false;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            // No process of that id.
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string ReadProcessScope()
    {
        try
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            var pids = new FileInfo("/proc/self/ns/pid").LinkTarget;
            return boot.Length == 0 || string.IsNullOrEmpty(pids)
                ? UnknownScope
                : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(boot + "\n" + pids)))[..8];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return UnknownScope;
        }
    }

    /// <summary>
    /// The key of the folder a worker's files are in, as the journal records it with each file the worker finishes: this
    /// machine's name and the folder's full path (<paramref name="root"/>).
    /// </summary>
    public static string Holder(string root) => $"{Environment.MachineName}:{root}";

    /// <summary>
    /// Refuses a folder whose marker names another shared job, or a job of this name in another database; a worker
    /// (<paramref name="verifying"/> false) is told to take a folder of its own, <c>haul verify</c> which job the folder's is.
    /// </summary>
    private static void CheckMarker(SharedJob job, string root, string database, bool verifying)
    {
        if (ReadMarkerLines(root) is [var other, .. var rest])
        {
            if (other != job.Name)
            {
                throw new OutputFolderException(verifying
                    ? $"'{root}' holds files of the shared job '{other}', not of '{job.Name}'; verify it with --job {other}"
                    : $"'{root}' holds files of the shared job '{other}'; give the job '{job.Name}' a folder of its own");
            }

            if (rest is [var otherDatabase, ..] && otherDatabase != database)
            {
                throw new OutputFolderException(verifying
                    ? $"'{root}' holds files of the shared job '{job.Name}' of another database ({otherDatabase}, not {database}); verify it with the --journal of that database"
                    : $"'{root}' holds files of the shared job '{job.Name}' of another database ({otherDatabase}); give this job a folder of its own");
            }
        }
    }

    /// <summary>Opens a journal with <paramref name="open"/>, then does <paramref name="then"/> with it; errors become one line that names the journal without its password.</summary>
    private static async Task<PostgresJobJournal> OpenAsync(
        SharedJob job,
        Func<CancellationToken, Task<PostgresJobJournal>> open,
        Func<PostgresJobJournal, CancellationToken, Task> then,
        CancellationToken cancellationToken)
    {
        var where = job.Describe();
        PostgresJobJournal? journal = null;
        try
        {
            journal = await open(cancellationToken).ConfigureAwait(false);
            await then(journal, cancellationToken).ConfigureAwait(false);
            return journal;
        }
        catch (JournalJobNotFoundException)
        {
            await DisposeAsync(journal).ConfigureAwait(false);
            throw new JournalJobNotFoundException(
                $"the journal {PostgresConnection.Redact(job.Journal)} has no job '{job.Name}'; start it with haul get (or haul crawl) --journal … --job {job.Name}");
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await DisposeAsync(journal).ConfigureAwait(false);
            throw new JournalUnavailableException($"cannot open the journal {where}: {Describe(exception)}", exception);
        }
        catch (Exception) when (journal is not null)
        {
            await DisposeAsync(journal).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The name of the shared job whose files a folder holds (<c>.haul/shared-job</c>), or null: a folder is one job's,
    /// shared or not, so that neither a job of its own nor another shared job mixes its files and reports into it.
    /// </summary>
    public static string? ReadMarker(string root) => ReadMarkerLines(root)?[0];

    private static string[]? ReadMarkerLines(string root)
    {
        var path = MarkerPath(root);
        if (SafeFileSystem.Inspect(path) != EntryKind.File)
        {
            return null;
        }

        using var reader = new StreamReader(path);
        var buffer = new char[1024];
        return new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length)).Trim().Split('\n', StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// The place of a journal's database, without user or password: <c>host:port/database</c>, the marker's second line
    /// (two databases may each hold a job of one name).
    /// </summary>
    private static string Database(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
    }

    /// <summary>
    /// Marks <paramref name="root"/> as the job's. The mark appears whole or not at all (written aside, then linked in
    /// without replacing one that is there), and is read back: of two jobs that took one new folder at the same moment,
    /// one is refused. A folder that got a journal of its own meanwhile is refused too.
    /// </summary>
    private static void WriteMarker(SharedJob job, string root, string database)
    {
        // Parts and reports of the job are kept there: 0700 whatever the umask, as a job of its own keeps it.
        var state = Path.Combine(root, SqliteJobJournal.StateFolderName);
        new SafeFileSystem(root).CreateFolder(Path.Combine(state, "parts"));
        OwnerOnly.RestrictFolder(state);
        var path = MarkerPath(root);
        var created = false;
        switch (SafeFileSystem.Inspect(path))
        {
            case EntryKind.None:
                var aside = $"{path}.{Guid.NewGuid():N}";
                using (var stream = NoFollowFile.Open(aside, NoFollowFile.Mode.CreateNew))
                {
                    stream.Write(System.Text.Encoding.UTF8.GetBytes(job.Name + "\n" + database));
                }

                try
                {
                    File.Move(aside, path, overwrite: false);
                    created = true;
                }
                catch (IOException) when (SafeFileSystem.Inspect(path) == EntryKind.File)
                {
                    // Another worker marked it at the same moment: read below whose job it is.
                    File.Delete(aside);
                }

                break;
            case EntryKind.File:
                break;
            default:
                throw new OutputFolderException($"'{path}' is not a file (a link, or a folder): Haul's own folder was tampered with");
        }

        CheckMarker(job, root, database, verifying: false);
        if (File.Exists(SqliteJobJournal.DatabasePath(root)))
        {
            if (created)
            {
                File.Delete(path);
            }

            throw new OutputFolderException(
                $"'{root}' holds the journal of a job of its own ({SqliteJobJournal.StateFolderName}/journal.db); give a shared job a folder of its own");
        }
    }

    private static string MarkerPath(string root) => Path.Combine(root, SqliteJobJournal.StateFolderName, "shared-job");

    /// <summary>How often a worker with nothing left looks for work that others' expired leases gave back.</summary>
    public static TimeSpan IdlePoll(TimeSpan lease) =>
        TimeSpan.FromMilliseconds(Math.Clamp(lease.TotalMilliseconds / 4, 250, 1000));

    /// <summary>A journal's failure in one line: the database's own message, or the network's.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DuplicateTable } postgres =>
            $"{postgres.MessageText}: the database has tables that are not Haul's; give Haul a database of its own",
        PostgresException postgres => postgres.MessageText,
        NpgsqlException { InnerException: System.Net.Sockets.SocketException socket } => socket.Message,
        _ => exception.InnerException?.Message ?? exception.Message,
    };

    private static async Task DisposeAsync(PostgresJobJournal? journal)
    {
        if (journal is not null)
        {
            await journal.DisposeAsync().ConfigureAwait(false);
        }
    }
}
