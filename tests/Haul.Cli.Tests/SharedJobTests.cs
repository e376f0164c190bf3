using System.Diagnostics;
using System.Globalization;
using Haul.Testing;
using Haul.TestServer;
using Npgsql;
using Xunit.Abstractions;

namespace Haul.Cli.Tests;

/// <summary>
/// Many <c>haul</c> processes on one job kept in a real PostgreSQL (a private cluster on loopback): they share the
/// work, a killed one's items are finished by the others once its lease expires, a stopped one cannot finish what it
/// lost, and a host's rate limit holds for all of them together.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class SharedJobTests(PostgresCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    /// <summary>
    /// Every fault of the hostile mix, but 429s and 503s at half a percent each rather than 11 %: each one pauses the
    /// host for every worker (the politeness tests' subject), and at the hostile rate they would make this test minutes
    /// long without telling anything more about sharing a job.
    /// </summary>
    private static readonly FaultProfile HostileWithFewPauses = new()
    {
        Rates = FaultProfile.Hostile.Rates.ToDictionary(
            p => p.Key,
            p => p.Key is FaultKind.TooManyRequestsSeconds or FaultKind.ServiceUnavailable ? 0.005
                : p.Key is FaultKind.TooManyRequestsDate ? 0 : p.Value),
    };

    [Fact]
    public async Task Three_processes_share_a_hostile_job_and_every_file_is_done_exactly_once()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 909,
            FileCount = 2000,
            MinFileSize = 1024,
            MaxFileSize = 48 * 1024,
            Faults = HostileWithFewPauses,
            StallDuration = TimeSpan.FromSeconds(3),
        });
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri));
        var folders = new[] { folder.Combine("a"), folder.Combine("b"), folder.Combine("c") };

        var clock = Stopwatch.StartNew();
        await using var first = await HaulProcess.StartAsync(folder.Path, ["get", "-i", list, .. Worker(journal, "photos", folders[0])]);
        await WaitForJobAsync(journal, "photos");
        await using var second = await HaulProcess.StartAsync(folder.Path, ["worker", .. Worker(journal, "photos", folders[1])]);
        await using var third = await HaulProcess.StartAsync(folder.Path, ["worker", .. Worker(journal, "photos", folders[2])]);
        var results = new[] { await first.WaitAsync(RunTimeout), await second.WaitAsync(RunTimeout), await third.WaitAsync(RunTimeout) };
        output.WriteLine($"three processes took {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var items = await ReadItemsAsync(journal);
        Assert.Equal(2000, items.Count);
        Assert.All(items, i => Assert.Equal(2, i.State));
        await AssertEachFileInExactlyItsHoldersFolderAsync(server, items, folders);

        // Each process did a share of the work.
        var shares = folders.Select(f => items.Count(i => i.Holder == Holder(f))).ToArray();
        output.WriteLine("shares: " + string.Join(", ", shares));
        Assert.All(shares, share => Assert.True(share >= 100, $"shares {string.Join(", ", shares)}: one process did almost nothing"));
    }

    [Fact]
    public async Task A_worker_killed_with_sigkill_loses_its_items_to_the_others_after_its_lease_and_nothing_done_is_fetched_again()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 910,
            FileCount = 400,
            MinFileSize = 16 * 1024,
            MaxFileSize = 256 * 1024,
            Faults = FaultProfile.Moderate,
            StallDuration = TimeSpan.FromSeconds(3),
        });
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri));
        var folders = new[] { folder.Combine("a"), folder.Combine("b"), folder.Combine("c") };
        string[] slow = ["--limit-rate", "1M", "--lease", "3"];

        await using var first = await HaulProcess.StartAsync(folder.Path, ["get", "-i", list, .. Worker(journal, "kill", folders[0]), .. slow]);
        await WaitForJobAsync(journal, "kill");
        await using var victim = await HaulProcess.StartAsync(folder.Path, ["worker", .. Worker(journal, "kill", folders[1]), .. slow]);
        await using var third = await HaulProcess.StartAsync(folder.Path, ["worker", .. Worker(journal, "kill", folders[2]), .. slow]);

        // Kill the victim once it has finished some files and holds others.
        var deadline = Stopwatch.StartNew();
        while ((await ReadItemsAsync(journal)).Count(i => i.Holder == Holder(folders[1])) < 20)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the victim finished nothing within a minute");
            await Task.Delay(100);
        }

        // What the victim holds is read while it runs: its lease (3 s) may run out, and the others take its items, before
        // a busy machine has reaped the killed process and read the journal again. Of those, the ones still unfinished at
        // the kill count as held.
        var beforeKill = await ReadItemsAsync(journal);
        var victimOwner = beforeKill.Where(i => i.Holder == Holder(folders[1])).Select(i => i.DoneBy).First();
        var leasedBeforeKill = beforeKill.Where(i => i.State is 0 or 1 && i.LeaseOwner == victimOwner).Select(i => i.Url).ToHashSet();
        var killed = await victim.KillAsync();
        Assert.Equal(137, killed.ExitCode);
        var atKill = await ReadItemsAsync(journal);
        var doneAtKill = atKill.Where(i => i.State == 2).ToList();
        var heldByVictim = atKill.Where(i => i.State is 0 or 1 && leasedBeforeKill.Contains(i.Url)).Select(i => i.Url).ToHashSet();
        var bodiesAtKill = doneAtKill.ToDictionary(i => i.Url, i => server.Counters.CompleteBodiesSentFor(new Uri(i.Url).AbsolutePath));
        Assert.NotEmpty(heldByVictim);

        var results = new[] { await first.WaitAsync(RunTimeout), await third.WaitAsync(RunTimeout) };
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));

        var items = await ReadItemsAsync(journal);
        Assert.All(items, i => Assert.Equal(2, i.State));
        await AssertEachFileInExactlyItsHoldersFolderAsync(server, items, folders, lostByKill: true);

        // What the victim held went to the others; what was done at the kill was never sent complete again.
        Assert.All(items.Where(i => heldByVictim.Contains(i.Url)), i => Assert.NotEqual(victimOwner, i.DoneBy));
        Assert.Equal(doneAtKill.Count(i => i.DoneBy == victimOwner), items.Count(i => i.DoneBy == victimOwner));
        foreach (var (url, bodies) in bodiesAtKill)
        {
            Assert.Equal(bodies, server.Counters.CompleteBodiesSentFor(new Uri(url).AbsolutePath));
        }
    }

    [Fact]
    public async Task The_same_command_run_again_after_a_kill_takes_back_what_its_killed_process_held_without_waiting_for_its_lease()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 912, FileCount = 120, MinFileSize = 64 * 1024, MaxFileSize = 64 * 1024 });
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri));
        string[] command = ["get", "-i", list, .. Worker(journal, "again", folder.Combine("a")), "--limit-rate", "1M", "--lease", "120"];

        await using (var killed = await HaulProcess.StartAsync(folder.Path, command))
        {
            await WaitForJobAsync(journal, "again");
            var deadline = Stopwatch.StartNew();
            while ((await ReadItemsAsync(journal)).Count(i => i.State == 2) < 10)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "nothing was done within a minute");
                await Task.Delay(100);
            }

            Assert.Equal(137, (await killed.KillAsync()).ExitCode);
        }

        Assert.Contains(await ReadItemsAsync(journal), i => i.State is 0 or 1 && i.LeaseOwner is not null);
        var clock = Stopwatch.StartNew();
        var rerun = await HaulProcess.RunAsync(folder.Path, command);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.All(await ReadItemsAsync(journal), i => Assert.Equal(2, i.State));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the rerun took {clock.Elapsed.TotalSeconds:0} s: it waited for the killed process's lease of 120 s");
    }

    [Fact]
    public async Task A_worker_stopped_past_its_lease_cannot_finish_an_item_another_worker_took_over()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 911,
            FileCount = 6,
            MinFileSize = 1 << 20,
            MaxFileSize = 1 << 20,
        });
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri));
        var stoppedFolder = folder.Combine("stopped");
        var otherFolder = folder.Combine("other");

        // One file at a time, slowly: the stop lands in the middle of a body.
        await using var stopped = await HaulProcess.StartAsync(
            folder.Path, ["get", "-i", list, .. Worker(journal, "stop", stoppedFolder), "-j", "1", "--limit-rate", "100K", "--lease", "2", "-v"]);
        // A body under way, and its item recorded as started (the record is batched, and may follow the first bytes).
        var deadline = Stopwatch.StartNew();
        string? inFlight = null;
        while (inFlight is null)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "no body was under way within 30 s");
            await Task.Delay(50);
            if (Directory.Exists(Path.Combine(stoppedFolder, ".haul", "parts"))
                && Directory.EnumerateFiles(Path.Combine(stoppedFolder, ".haul", "parts")).Any(f => new FileInfo(f).Length > 50_000))
            {
                inFlight = (await ReadItemsAsync(journal)).SingleOrDefault(i => i.State == 1)?.Url;
            }
        }

        Signal(stopped.Id, "STOP");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var other = await HaulProcess.RunAsync(folder.Path, ["worker", .. Worker(journal, "stop", otherFolder), "--lease", "2", "-v"], timeout: RunTimeout);
            Assert.True(other.ExitCode == 0, other.ToString());
        }
        finally
        {
            Signal(stopped.Id, "CONT");
        }

        var resumed = await stopped.WaitAsync(RunTimeout);
        Assert.True(resumed.ExitCode is 0, resumed.ToString());
        Assert.Contains("another worker took this item over", resumed.Stderr, StringComparison.Ordinal);

        // The item was finished once, by the worker that took it over, and the stopped one placed no file for it.
        var items = await ReadItemsAsync(journal);
        Assert.All(items, i => Assert.Equal(2, i.State));
        var taken = items.Single(i => i.Url == inFlight);
        Assert.Equal(Holder(otherFolder), taken.Holder);
        Assert.False(File.Exists(Support.MappedPath(stoppedFolder, new Uri(inFlight))), "the stopped worker placed a file it no longer held");
        await AssertEachFileInExactlyItsHoldersFolderAsync(server, items, [stoppedFolder, otherFolder]);
    }

    [Fact]
    public async Task On_a_shared_folder_the_partial_body_of_a_killed_worker_is_resumed_by_the_one_that_takes_its_item_over()
    {
        const long size = 8L << 20;
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 913, FileCount = 2, MinFileSize = size, MaxFileSize = size });
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri));
        var shared = folder.Combine("shared");
        var parts = Path.Combine(shared, ".haul", "parts");

        await using var first = await HaulProcess.StartAsync(folder.Path, ["get", "-i", list, .. Worker(journal, "resume", shared), "-j", "1", "--limit-rate", "2M", "--lease", "2"]);
        var deadline = Stopwatch.StartNew();
        while (!Directory.Exists(parts) || !Directory.EnumerateFiles(parts).Any(f => new FileInfo(f).Length > size / 4))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "no body was a quarter done within 30 s");
            await Task.Delay(50);
        }

        Assert.Equal(137, (await first.KillAsync()).ExitCode);
        var partial = (await ReadItemsAsync(journal)).Single(i => i.State == 1).Url;
        var second = await HaulProcess.RunAsync(folder.Path, ["worker", .. Worker(journal, "resume", shared), "--lease", "2"], timeout: RunTimeout);

        Assert.True(second.ExitCode == 0, second.ToString());
        var items = await ReadItemsAsync(journal);
        Assert.All(items, i => Assert.Equal(2, i.State));
        await AssertEachFileInExactlyItsHoldersFolderAsync(server, items, [shared]);
        var sent = server.Counters.BodyBytesSentFor(new Uri(partial).AbsolutePath);
        Assert.True(sent < size * 7 / 4, $"{sent} bytes sent for an 8 MiB file that was a quarter done: it was fetched again from the start");
    }

    [Fact]
    public async Task Three_workers_together_stay_within_a_hosts_rate_limit()
    {
        const int files = 1000;
        const double rate = 40;
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 912,
            FileCount = files,
            MinFileSize = 1024,
            MaxFileSize = 4096,
            RateLimit = new RateLimitOptions(rate, Burst: 10, RetryAfterSeconds: 1),
            Ban = new BanOptions(RequestsPerSecond: 100, Duration: TimeSpan.FromSeconds(10)),
        });
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri));
        var folders = new[] { folder.Combine("a"), folder.Combine("b"), folder.Combine("c") };

        await using var seed = await HaulProcess.StartAsync(folder.Path, ["get", "-i", list, .. Worker(journal, "rate", folders[0])]);
        await WaitForJobAsync(journal, "rate");
        await using var second = await HaulProcess.StartAsync(folder.Path, ["worker", .. Worker(journal, "rate", folders[1])]);
        await using var third = await HaulProcess.StartAsync(folder.Path, ["worker", .. Worker(journal, "rate", folders[2])]);
        var results = new[] { await seed.WaitAsync(RunTimeout), await second.WaitAsync(RunTimeout), await third.WaitAsync(RunTimeout) };
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));

        var log = server.Counters.Log;
        var span = log[^1].Arrived - log[0].Arrived;
        var throttled = log.Count(r => r.Status == 429);
        var floor = files / rate;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{log.Count} requests over {span.TotalSeconds:0.0} s (floor {floor:0} s), {throttled} got 429, {server.Counters.BansTriggered} bans"));
        Assert.Equal(0, server.Counters.BansTriggered);
        Assert.True(span.TotalSeconds < 1.5 * floor, $"{files} files at {rate}/s took {span.TotalSeconds:0.0} s from the first request to the last; the floor is {floor:0} s");
        Assert.True(throttled <= log.Count * 0.1, $"{throttled} of {log.Count} requests got 429");
        var items = await ReadItemsAsync(journal);
        Assert.Equal(files, items.Count(i => i.State == 2));
        await AssertEachFileInExactlyItsHoldersFolderAsync(server, items, folders);
    }

    [Fact]
    public async Task A_folder_is_one_jobs_shared_or_not_and_a_bad_journal_is_one_line_without_its_password()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 914, FileCount = 3 });
        using var folder = new TestFolder();
        var journal = await cluster.CreateDatabaseAsync();
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri));
        var shared = folder.Combine("shared");
        var first = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, .. Worker(journal, "first", shared)], timeout: RunTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());

        var own = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", shared, "--no-progress"]);
        var other = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, .. Worker(journal, "second", shared)]);
        var otherDatabase = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, .. Worker(await cluster.CreateDatabaseAsync(), "first", shared)]);
        var spaced = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, .. Worker(journal, "first ", folder.Combine("spaced"))]);
        var leaseAlone = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", folder.Combine("alone"), "--lease", "5"]);
        var malformed = await HaulProcess.RunAsync(folder.Path, ["status", "--journal", "postgres://haul:S3cret@127.0.0.1:99999/x", "--job", "first"]);
        var atSign = await HaulProcess.RunAsync(folder.Path, ["worker", "--journal", "postgres://haul:S3c@ret@127.0.0.1/x", "--job", "first", "-o", folder.Combine("w")]);

        Assert.Equal((2, 2), (own.ExitCode, other.ExitCode));
        Assert.Contains("shared job 'first'", own.Stderr, StringComparison.Ordinal);
        Assert.Contains("shared job 'first'", other.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(shared, ".haul", "journal.db")), "a job of its own was started in a shared job's folder");
        Assert.True(otherDatabase.ExitCode == 2 && otherDatabase.Stderr.Contains("of another database", StringComparison.Ordinal), otherDatabase.ToString());
        Assert.True(spaced.ExitCode == 2 && spaced.Stderr.Contains("begins or ends with a space", StringComparison.Ordinal), spaced.ToString());
        Assert.True(leaseAlone.ExitCode == 2 && leaseAlone.Stderr.Contains("--lease needs --journal", StringComparison.Ordinal), leaseAlone.ToString());
        Assert.False(Directory.Exists(folder.Combine("alone")), "a folder was made for a command line that was refused");
        foreach (var result in new[] { malformed, atSign })
        {
            Assert.Equal(2, result.ExitCode);
            Assert.Single(result.StderrLines);
            Assert.DoesNotContain("S3c", result.Stderr, StringComparison.Ordinal);
            Support.AssertNoStackTrace(result);
        }
    }

    private static string[] Worker(string journal, string job, string outFolder) =>
        ["--journal", journal, "--job", job, "-o", outFolder, "--no-progress", "--read-timeout", "2", "--retry-delay", "0.1", "--retry-max-delay", "1"];

    private static string Holder(string outFolder) => $"{Environment.MachineName}:{Path.GetFullPath(outFolder)}";

    private static void Signal(int processId, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, processId.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task WaitForJobAsync(string journal, string job)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(journal);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT count(*) FROM items i JOIN jobs j ON j.id = i.job_id WHERE j.name = $1;", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = job });
                if ((long)(await command.ExecuteScalarAsync())! > 0)
                {
                    return;
                }
            }
            catch (PostgresException)
            {
                // No schema yet.
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"the job '{job}' had no items after 30 s");
            await Task.Delay(100);
        }
    }

    private static async Task<IReadOnlyList<SharedItem>> ReadItemsAsync(string journal)
    {
        await using var connection = new NpgsqlConnection(journal);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT url, state, holder, done_by, lease_owner, sha256 FROM items ORDER BY id;", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var items = new List<SharedItem>();
        while (await reader.ReadAsync())
        {
            items.Add(new SharedItem(
                reader.GetString(0),
                reader.GetInt32(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return items;
    }

    /// <summary>
    /// Every done file is byte-identical in the folder of the worker that finished it, and in no other folder (a worker
    /// killed between placing a file and recording it may leave one behind: <paramref name="lostByKill"/>).
    /// </summary>
    private static async Task AssertEachFileInExactlyItsHoldersFolderAsync(
        HostileServer server, IReadOnlyList<SharedItem> items, IReadOnlyList<string> folders, bool lostByKill = false)
    {
        var strays = 0;
        foreach (var item in items)
        {
            var url = new Uri(item.Url);
            var holder = folders.Single(f => Holder(f) == item.Holder);
            await Support.AssertFileMatchesServerAsync(server, holder, url);
            Assert.Equal(server.GetFile(url.AbsolutePath).Sha256Hex, item.Sha256);
            strays += folders.Count(f => f != holder && File.Exists(Support.MappedPath(f, url)));
        }

        Assert.True(lostByKill ? strays <= 16 : strays == 0, $"{strays} files are in a folder other than their holder's");
    }

    private sealed record SharedItem(string Url, int State, string? Holder, string? DoneBy, string? LeaseOwner, string? Sha256);
}
