using Haul.Engine;
using Haul.TestServer;

namespace Haul.Tests.Engine;

[Collection(NetworkTests.Name)]
public sealed class HostileMixTests
{
    [Fact]
    public async Task SeededMixOfEveryTransientFault_500Files_AllDoneByteIdenticalNoPartFilesLeft()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 42,
            FileCount = 500,
            MinFileSize = 1024,
            MaxFileSize = 300 * 1024,
            ExtraFileSizes = [1_500_000, 2_500_000],
            Faults = FaultProfile.Hostile,
            StallDuration = TimeSpan.FromSeconds(3),
            SlowDripBytesPerSecond = 2_000_000,

            // Retry-After: 0 keeps the run in seconds: every 429/503 pauses the whole host for the announced wait, and
            // ~50 one-second pauses would dominate the suite. Waiting for Retry-After is covered by RetryAfterJobTests.
            RetryAfterSeconds = 0,
        });
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path, seed: 42) with { MaxConcurrency = 8, MaxConcurrencyPerHost = 8 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(0, report.Failed);
        Assert.Equal(0, report.Pending);
        Assert.Equal(server.Files.Count, report.Done);
        Assert.Empty(TestSupport.PartFiles(output.Path));

        // The run met every transient fault kind of the profile, so the result proves Haul recovers from each.
        var injected = server.Counters.FaultsByKind;
        foreach (var kind in FaultProfile.Hostile.Rates.Keys)
        {
            Assert.True(injected.GetValueOrDefault(kind) > 0, $"the seeded run never injected {kind}");
        }

        // Every saved file is the server's current version: nothing from a soft block or a truncated body was kept.
        foreach (var file in server.Files)
        {
            var saved = TestSupport.SavedPath(output.Path, TestSupport.Url(server, file.Path));
            var current = server.GetFile(file.Path);
            Assert.Equal(current.Size, new FileInfo(saved).Length);
            Assert.Equal(current.Sha256Hex, TestSupport.Sha256OfFile(saved));
        }

        var savedFiles = Directory.GetFiles(output.Path, "*", SearchOption.AllDirectories)
            .Where(p => !p.Contains(Path.DirectorySeparatorChar + ".haul" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .Where(n => n is not ("report.json" or "failed.txt"))
            .ToList();
        Assert.Equal(server.Files.Count, savedFiles.Count);
    }
}
