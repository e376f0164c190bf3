using Haul.Testing;
using Haul.TestServer;
using Npgsql;

namespace Haul.Cli.Tests;

/// <summary>
/// <c>haul verify --journal … --job … FOLDER</c> on a worker folder of a shared job in a real PostgreSQL: the done files
/// the journal says the folder holds are re-hashed, the missing or changed ones are pending again for any worker, and
/// verify neither joins the job nor creates anything. Folders of another job, of another database or with a journal of
/// their own are refused in one line.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class SharedVerifyTests(PostgresCluster cluster)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Verify_reopens_the_changed_and_missing_files_of_its_folder_and_a_worker_fetches_them_again()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 931, FileCount = 6, MinFileSize = 2048, MaxFileSize = 32 * 1024 });
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri));
        var output = folder.Combine("images");
        var urls = server.FileUrls.ToArray();

        var get = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, .. Shared(journal, "cats"), "-o", output, "--no-progress"], timeout: RunTimeout);
        Assert.True(get.ExitCode == 0, get.ToString());

        // One file changed in place (its size kept), one deleted; a third is recorded as held by another machine's
        // folder, so this folder's verify leaves it alone although its file here is gone too.
        var changed = Support.MappedPath(output, urls[0]);
        var bytes = await File.ReadAllBytesAsync(changed);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(changed, bytes);
        File.Delete(Support.MappedPath(output, urls[1]));
        File.Delete(Support.MappedPath(output, urls[2]));
        await ExecuteAsync(journal, "UPDATE items SET holder = 'elsewhere:/data/images' WHERE url = $1;", urls[2].AbsoluteUri);
        var workers = await ScalarAsync(journal, "SELECT count(*) FROM workers;");
        var runs = await ScalarAsync(journal, "SELECT count(*) FROM runs;");

        var verify = await HaulProcess.RunAsync(folder.Path, ["verify", .. Shared(journal, "cats"), output]);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("verified 5 done files: 3 intact", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 missing or changed", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("SHA-256 differs", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains(": missing", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("haul worker --journal … --job cats", verify.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, await StateAsync(journal, urls[0]));
        Assert.Equal(0, await StateAsync(journal, urls[1]));
        Assert.Equal(2, await StateAsync(journal, urls[2]));
        Assert.Equal(4L, await ScalarAsync(journal, "SELECT count(*) FROM items WHERE state = 2;"));
        Assert.Equal(workers, await ScalarAsync(journal, "SELECT count(*) FROM workers;"));
        Assert.Equal(runs, await ScalarAsync(journal, "SELECT count(*) FROM runs;"));

        var worker = await HaulProcess.RunAsync(folder.Path, ["worker", .. Shared(journal, "cats"), "-o", output, "--no-progress"], timeout: RunTimeout);
        Assert.True(worker.ExitCode == 0, worker.ToString());
        await Support.AssertFileMatchesServerAsync(server, output, urls[0]);
        await Support.AssertFileMatchesServerAsync(server, output, urls[1]);
        Assert.Equal(0L, await ScalarAsync(journal, "SELECT count(*) FROM items WHERE state <> 2;"));

        var again = await HaulProcess.RunAsync(folder.Path, ["verify", .. Shared(journal, "cats"), output]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("verified 5 done files: 5 intact", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 missing or changed", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_refuses_in_one_line_a_folder_of_another_job_another_database_or_a_journal_of_its_own_and_changes_nothing()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 932, FileCount = 2, MinFileSize = 1024, MaxFileSize = 4096 });
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var empty = await cluster.CreateDatabaseAsync();
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri));
        var shared = folder.Combine("shared");
        var local = folder.Combine("local");
        var get = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, .. Shared(journal, "cats"), "-o", shared, "--no-progress"], timeout: RunTimeout);
        Assert.True(get.ExitCode == 0, get.ToString());
        var own = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", local, "--no-progress"], timeout: RunTimeout);
        Assert.True(own.ExitCode == 0, own.ToString());
        File.Delete(Support.MappedPath(shared, server.FileUrls.First()));
        File.Delete(Support.MappedPath(local, server.FileUrls.First()));

        // A worker folder of the job in a database that has no Haul tables (its marker says that database).
        var fresh = folder.Combine("fresh");
        Directory.CreateDirectory(Path.Combine(fresh, ".haul"));
        await File.WriteAllTextAsync(Path.Combine(fresh, ".haul", "shared-job"), "cats\n" + Database(empty));
        // A worker folder of a job the database does not hold.
        var dogs = folder.Combine("dogs");
        Directory.CreateDirectory(Path.Combine(dogs, ".haul"));
        await File.WriteAllTextAsync(Path.Combine(dogs, ".haul", "shared-job"), "dogs\n" + Database(journal));

        var plain = await HaulProcess.RunAsync(folder.Path, ["verify", shared]);
        var otherJob = await HaulProcess.RunAsync(folder.Path, ["verify", .. Shared(journal, "dogs"), shared]);
        var otherDatabase = await HaulProcess.RunAsync(folder.Path, ["verify", .. Shared(empty, "cats"), shared]);
        var ownJournal = await HaulProcess.RunAsync(folder.Path, ["verify", .. Shared(journal, "cats"), local]);
        var noMarker = await HaulProcess.RunAsync(folder.Path, ["verify", .. Shared(journal, "cats"), folder.Combine("nothing")]);
        var noTables = await HaulProcess.RunAsync(folder.Path, ["verify", .. Shared(empty, "cats"), fresh]);
        var noJob = await HaulProcess.RunAsync(folder.Path, ["verify", .. Shared(journal, "dogs"), dogs]);
        var halfGiven = await HaulProcess.RunAsync(folder.Path, ["verify", "--job", "cats", shared]);

        AssertRefused(plain, "holds files of the shared job 'cats'; verify them with haul verify --journal URI --job cats");
        AssertRefused(otherJob, "holds files of the shared job 'cats', not of 'dogs'");
        AssertRefused(otherDatabase, "of another database");
        AssertRefused(ownJournal, "holds the journal of a job of its own");
        AssertRefused(noMarker, "holds no files of a shared job");
        AssertRefused(noTables, "no Haul tables");
        AssertRefused(noJob, "has no job 'dogs'");
        AssertRefused(halfGiven, "--job needs --journal");

        // Nothing was reopened, joined or created, in the job's database or the empty one, nor in the local journal.
        Assert.Equal(0L, await ScalarAsync(journal, "SELECT count(*) FROM items WHERE state <> 2;"));
        Assert.Equal(0L, await ScalarAsync(journal, "SELECT count(*) FROM jobs WHERE name = 'dogs';"));
        Assert.Equal(0L, await ScalarAsync(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public';"));
        var localStatus = await HaulProcess.RunAsync(folder.Path, ["status", local]);
        Assert.True(localStatus.ExitCode == 0, localStatus.ToString());
    }

    private static void AssertRefused(HaulResult result, string words)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(words, Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout.Trim());
        Support.AssertNoStackTrace(result);
    }

    private static string[] Shared(string journal, string job) => ["--journal", journal, "--job", job];

    /// <summary>The database as a worker's folder marker names it: <c>host:port/database</c>.</summary>
    private static string Database(string journal)
    {
        var builder = new NpgsqlConnectionStringBuilder(journal);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }

    private static async Task<int> StateAsync(string journal, Uri url)
    {
        await using var connection = new NpgsqlConnection(journal);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT state FROM items WHERE url = $1;", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = url.AbsoluteUri });
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> ScalarAsync(string journal, string sql)
    {
        await using var connection = new NpgsqlConnection(journal);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string journal, string sql, string value)
    {
        await using var connection = new NpgsqlConnection(journal);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }
}
