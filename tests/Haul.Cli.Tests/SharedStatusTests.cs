using Haul.Input;
using Haul.Journal.Postgres;
using Haul.Testing;
using Npgsql;

namespace Haul.Cli.Tests;

/// <summary>
/// <c>haul status --journal … --job …</c> reads a shared job and changes nothing: no tables in a database that has
/// none, one line for a job that is not there; it lists the hosts' shared state and tells live workers from gone ones.
/// And <c>haul crawl</c> says in one line that it cannot run on a shared journal yet.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class SharedStatusTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Status_of_a_database_without_haul_tables_says_so_in_one_line_and_creates_none()
    {
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();

        var result = await HaulProcess.RunAsync(folder.Path, ["status", "--journal", journal, "--job", "cats"]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("no Haul tables", line, StringComparison.Ordinal);
        Support.AssertNoStackTrace(result);
        Assert.Equal(0L, await ScalarAsync(journal, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public';"));
    }

    [Fact]
    public async Task Status_lists_hosts_and_tells_live_gone_and_long_gone_workers_apart_without_changing_the_job()
    {
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        await using (var job = await PostgresJobJournal.OpenAsync(journal, "cats", TimeProvider.System, CancellationToken.None))
        {
            await job.AddAsync([new DownloadRequest(new Uri("http://a.example/1.jpg")), new DownloadRequest(new Uri("http://b.example/2.jpg"))], CancellationToken.None);
            await job.JoinAsync("alive/1", "m:/alive", CancellationToken.None);
        }

        await ExecuteAsync(
            journal,
            """
            INSERT INTO workers (job_id, owner, holder, started_at, heartbeat_at, left_at)
            SELECT j.id, w.owner, w.holder, now() - w.started, now() - w.beat, CASE WHEN w.gone THEN now() - w.beat END
            FROM jobs j, (VALUES ('silent/2', 'm:/silent', interval '10 minutes', interval '5 minutes', false),
                                 ('recent/3', 'm:/recent', interval '10 minutes', interval '1 minute', true),
                                 ('old/4', 'm:/old4', interval '3 hours', interval '2 hours', true),
                                 ('old/5', 'm:/old5', interval '3 hours', interval '2 hours', true),
                                 ('old/6', 'm:/old6', interval '3 hours', interval '2 hours', true)) AS w (owner, holder, started, beat, gone);
            INSERT INTO hosts (job_id, host, not_before, reason, gap_ms)
            SELECT id, 'a.example', (extract(epoch FROM clock_timestamp()) * 1000)::bigint + 600000, 'too-many-requests', 250 FROM jobs;
            INSERT INTO hosts (job_id, host, gap_ms) SELECT id, 'b.example', 1000 FROM jobs;
            """);
        var runs = await ScalarAsync(journal, "SELECT count(*) FROM runs;");

        var status = await HaulProcess.RunAsync(folder.Path, ["status", "--journal", journal, "--job", "cats"]);
        var missing = await HaulProcess.RunAsync(folder.Path, ["status", "--journal", journal, "--job", "dogs"]);

        Assert.Equal(1, status.ExitCode);
        var lines = status.Stdout.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("a.example: gap 250 ms", StringComparison.Ordinal) && l.Contains("paused until", StringComparison.Ordinal)
            && l.EndsWith("(too-many-requests)", StringComparison.Ordinal));
        Assert.Contains("b.example: gap 1000 ms (1 req/s at most)", lines);
        Assert.Contains("workers: 1 alive, 1 gone, 4 left", lines);
        Assert.Contains(lines, l => l.StartsWith("alive/1: 0 files done into m:/alive; alive, last heartbeat", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("silent/2: 0 files done into m:/silent; gone: no heartbeat for 5:0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("recent/3: 0 files done into m:/recent; left ", StringComparison.Ordinal) && l.EndsWith(" s ago", StringComparison.Ordinal));
        Assert.DoesNotContain("old/", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 more left over 10 minutes ago (0 files done)", lines);
        Assert.Equal(runs, await ScalarAsync(journal, "SELECT count(*) FROM runs;"));

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("has no job 'dogs'", Assert.Single(missing.StderrLines), StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync(journal, "SELECT count(*) FROM jobs WHERE name = 'dogs';"));
    }

    [Theory]
    [InlineData("crawl", "http://127.0.0.1:1/gallery/")]
    [InlineData("get", "http://127.0.0.1:1/a.jpg")]
    public async Task A_shared_journal_that_cannot_be_reached_is_one_line_and_leaves_no_output_folder(string command, string url)
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(
            folder.Path, [command, "--journal", "postgres://haul@127.0.0.1:1/x", "--job", "cats", url, "-o", folder.Combine("out")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot open the journal postgres://haul@127.0.0.1:1/x (job 'cats')", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Support.AssertNoStackTrace(result);
        Assert.False(Directory.Exists(folder.Combine("out")), "the output folder was made for a journal that cannot be reached");
    }

    private static async Task<long> ScalarAsync(string journal, string sql)
    {
        await using var connection = new NpgsqlConnection(journal);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string journal, string sql)
    {
        await using var connection = new NpgsqlConnection(journal);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
