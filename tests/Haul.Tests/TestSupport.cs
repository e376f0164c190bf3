using System.Security.Cryptography;
using Haul.Engine;
using Haul.Input;
using Haul.Journal;
using Haul.TestServer;
using Haul.Writing;

namespace Haul.Tests;

/// <summary>A folder under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "haul-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>The heavy end-to-end tests share one collection so that they do not compete for the two cores.</summary>
[CollectionDefinition(Name)]
public sealed class NetworkTests
{
    public const string Name = "Network";
}

/// <summary>
/// Tests whose bounds are wall-clock times that the rate a host allows sets (a politeness limit): they run alone, after
/// the others, so that the other tests' load on the two cores does not read as the host's latency climbing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PacedTests
{
    public const string Name = "Paced";
}

internal static class TestSupport
{
    /// <summary>Short deadlines, so that a test with faults finishes in seconds.</summary>
    public static HaulOptions FastOptions(string outputDirectory, int seed = 1)
    {
        var random = new Random(seed);
        var gate = new Lock();
        return new HaulOptions
        {
            OutputDirectory = outputDirectory,
            MaxConcurrency = 4,
            MaxConcurrencyPerHost = 4,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            ResponseHeadersTimeout = TimeSpan.FromSeconds(5),
            StallTimeout = TimeSpan.FromSeconds(1),
            ItemTimeout = TimeSpan.FromSeconds(60),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(500),
            Randomizer = () =>
            {
                lock (gate)
                {
                    return random.NextDouble();
                }
            },
        };
    }

    public static InputBatch Batch(IEnumerable<Uri> urls)
    {
        var batch = new InputBatch();
        foreach (var url in urls)
        {
            batch.Requests.Add(new DownloadRequest(url));
        }

        return batch;
    }

    public static InputBatch Batch(params Uri[] urls) => Batch((IEnumerable<Uri>)urls);

    public static Uri Url(HostileServer server, string path) => new(server.BaseUri, path);

    /// <summary>Where the job saves the file of <paramref name="url"/>.</summary>
    public static string SavedPath(string root, Uri url) => OutputPathMapper.Resolve(root, OutputPathMapper.Map(url));

    public static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Runs a job until every file of <paramref name="server"/> is on disk, then stops it; returns how long that took.</summary>
    public static async Task<TimeSpan> TimeUntilSavedAsync(HaulOptions options, IEnumerable<Uri> urls, HostileServer server)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var job = DownloadJob.RunAsync(options, Batch(urls), null, stop.Token);
        var paths = server.FileUrls.Select(u => SavedPath(options.OutputDirectory, u)).ToList();
        while (!paths.All(File.Exists) && !job.IsCompleted)
        {
            await Task.Delay(20);
        }

        var elapsed = clock.Elapsed;
        await stop.CancelAsync();
        try
        {
            await job;
        }
        catch (OperationCanceledException)
        {
        }

        Assert.All(paths, p => Assert.True(File.Exists(p), p));
        return elapsed;
    }

    /// <summary>Asserts that every file of <paramref name="server"/> is saved under <paramref name="root"/>, byte-identical.</summary>
    public static void AssertAllSaved(string root, HostileServer server)
    {
        foreach (var file in server.Files)
        {
            var saved = SavedPath(root, Url(server, file.Path));
            Assert.True(File.Exists(saved), saved);
            Assert.Equal(server.GetFile(file.Path).Sha256Hex, Sha256OfFile(saved));
        }
    }

    public static string[] PartFiles(string root) => Directory.GetFiles(root, "*.part", SearchOption.AllDirectories);

    /// <summary>Every item of the output folder's journal with its attempts, read after the job closed it.</summary>
    public static async Task<IReadOnlyList<(JournalItem Item, IReadOnlyList<AttemptRecord> Attempts)>> ReadJournalAsync(string root)
    {
        var journal = await SqliteJobJournal.OpenAsync(root, TimeProvider.System, CancellationToken.None);
        await using (journal)
        {
            var result = new List<(JournalItem, IReadOnlyList<AttemptRecord>)>();
            foreach (var item in await journal.ReadItemsAsync(CancellationToken.None))
            {
                result.Add((item, await journal.ReadAttemptsAsync(item.Id, CancellationToken.None)));
            }

            return result;
        }
    }

    /// <summary>Runs SQL on the journal of a job that is not running, to stage what a crash would leave.</summary>
    public static async Task ExecuteOnJournalAsync(string root, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={SqliteJobJournal.DatabasePath(root)};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<IReadOnlyList<AttemptRecord>> AttemptsOfAsync(string root, Uri url)
    {
        var journal = await ReadJournalAsync(root);
        return journal.Single(e => e.Item.Url == url.AbsoluteUri).Attempts;
    }
}
