using System.Globalization;
using Haul.TestServer;
using Xunit.Abstractions;

namespace Haul.Cli.Tests;

public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int KillCount = 5;
    private const int MaxReruns = 6;

    [Fact]
    public async Task Get_killed_with_sigkill_five_times_then_rerun_ends_with_every_file_verified_and_no_done_file_downloaded_again()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 20261125,
            FileCount = 300,
            MinFileSize = 2 * 1024,
            MaxFileSize = 1024 * 1024,
            ExtraFileSizes = [5L << 20, 7L << 20, 10L << 20],
            Faults = FaultProfile.Moderate,
            StallDuration = TimeSpan.FromSeconds(5),
        });
        using var folder = new TestFolder();
        var outFolder = folder.Combine("out");
        var list = folder.Combine("urls.txt");
        var random = new Random(4242);

        // Shuffled, so that the large files are fetched early and kills land in the middle of their bodies.
        var urls = server.FileUrls.ToArray();
        random.Shuffle(urls);
        await File.WriteAllLinesAsync(list, urls.Select(u => u.AbsoluteUri));
        string[] args = ["get", "-i", list, "-o", outFolder, "-j", "8", "--no-progress", "--read-timeout", "2", "--retry-delay", "0.1", "--retry-max-delay", "1"];

        var completeBodiesWhenFirstSeenDone = new Dictionary<string, int>(StringComparer.Ordinal);
        var killsMidJob = 0;
        var history = new List<string>();
        for (var kill = 0; kill < KillCount; kill++)
        {
            var delay = TimeSpan.FromMilliseconds(random.Next(300, 2501));
            var requestsBefore = server.Counters.Requests;
            await using var process = await HaulProcess.StartAsync(folder.Path, args);

            // The delay counts from the first request, not from the start of a process that a busy machine may take
            // seconds to bring up: otherwise every kill could land before the job had begun.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!process.HasExited && DateTime.UtcNow < deadline && server.Counters.Requests <= requestsBefore)
            {
                await Task.Delay(20);
            }

            await Task.Delay(delay);
            var killed = await process.KillAsync();

            // 137 = 128 + SIGKILL: the process was running and died without any chance to clean up.
            var sigkilled = killed.ExitCode == 137;
            Assert.True(sigkilled || killed.ExitCode is 0 or 1, killed.ToString());

            var journal = await Support.ReadJournalAsync(outFolder);
            var done = journal.Where(r => r.State == JournalRow.Done).ToList();
            history.Add(string.Create(CultureInfo.InvariantCulture, $"kill {kill + 1} after {delay.TotalMilliseconds} ms: {(sigkilled ? "killed" : "had exited")}, {done.Count} of {journal.Count} done, {Support.AllFiles(Path.Combine(outFolder, ".haul", "parts")).Length} partial files"));
            if (sigkilled && done.Count > 0 && done.Count < urls.Length)
            {
                killsMidJob++;
            }

            // Done in the journal means the file is complete and correct on disk, even right after SIGKILL.
            foreach (var row in done)
            {
                var url = new Uri(row.Url);
                await Support.AssertFileMatchesServerAsync(server, outFolder, url);
                completeBodiesWhenFirstSeenDone.TryAdd(url.AbsolutePath, server.Counters.CompleteBodiesSentFor(url.AbsolutePath));
            }
        }

        HaulResult? last = null;
        for (var run = 0; run < MaxReruns && last?.ExitCode != 0; run++)
        {
            last = await HaulProcess.RunAsync(folder.Path, args, timeout: TimeSpan.FromSeconds(60));
            history.Add($"rerun {run + 1}: exit {last.ExitCode}");
            Assert.True(last.ExitCode is 0 or 1, last.ToString());
        }

        var story = string.Join('\n', history);
        output.WriteLine(story);
        Assert.True(last!.ExitCode == 0, $"{story}\n{last}");
        Assert.True(killsMidJob > 0, "no kill landed while the job was half done:\n" + story);

        foreach (var url in urls)
        {
            await Support.AssertFileMatchesServerAsync(server, outFolder, url);
        }

        var rows = await Support.ReadJournalAsync(outFolder);
        Assert.Equal(urls.Length, rows.Count);
        Assert.Equal(urls.Select(u => u.AbsoluteUri).Order(StringComparer.Ordinal), rows.Select(r => r.Url).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(JournalRow.Done, r.State));
        Assert.All(rows, r => Assert.Equal(server.GetFile(new Uri(r.Url).AbsolutePath).Sha256Hex, r.Sha256));

        var parts = folder.Combine("out", ".haul", "parts");
        Assert.DoesNotContain(Support.AllFiles(parts), f => f.EndsWith(".part", StringComparison.Ordinal));

        Assert.NotEmpty(completeBodiesWhenFirstSeenDone);
        foreach (var (path, count) in completeBodiesWhenFirstSeenDone)
        {
            Assert.True(count == server.Counters.CompleteBodiesSentFor(path),
                $"{path} was done after a kill with {count} complete bodies sent, but the server sent {server.Counters.CompleteBodiesSentFor(path)} by the end\n{story}");
        }
    }
}
