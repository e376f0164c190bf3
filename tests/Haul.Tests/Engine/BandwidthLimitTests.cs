using System.Diagnostics;
using Haul.Engine;
using Haul.TestServer;
using Microsoft.Extensions.Time.Testing;

namespace Haul.Tests.Engine;

/// <summary><c>--limit-rate</c>: the job's whole download bandwidth stays under the cap, and the files still verify.</summary>
[Collection(NetworkTests.Name)]
public sealed class BandwidthLimitTests
{
    [Fact]
    public async Task LimitedJob_TakesAtLeastItsSizeOverTheLimit_AndVerifies()
    {
        const long rate = 512 * 1024;
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 0,
            ExtraFileSizes = [.. Enumerable.Repeat(160L * 1024, 10)],
        });
        var total = server.Files.Sum(f => f.Size);
        using var output = new TempFolder();

        // Four connections a host and a low-speed floor far above each one's share: our own limit must not count as the server's slowness.
        var options = TestSupport.FastOptions(output.Path) with
        {
            MaxBytesPerSecond = rate,
            LowSpeedLimit = 200 * 1024,
            LowSpeedTime = TimeSpan.FromSeconds(1),
        };
        var clock = Stopwatch.StartNew();

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        clock.Stop();
        Assert.Equal(server.Files.Count, report.Done);
        Assert.Equal(0, report.Failed);

        // The bucket starts full with a quarter of a second's worth: the only burst above the rate.
        var least = TimeSpan.FromSeconds((total - (rate / 4)) / (double)rate);
        Assert.True(clock.Elapsed >= least, $"{total} bytes at {rate} bytes/s took {clock.Elapsed}, less than {least}");
        Assert.True(clock.Elapsed < least * 2 + TimeSpan.FromSeconds(2), $"{total} bytes at {rate} bytes/s took {clock.Elapsed}");
        foreach (var file in server.Files)
        {
            var url = TestSupport.Url(server, file.Path);
            Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
        }

        var attempts = (await TestSupport.ReadJournalAsync(output.Path)).SelectMany(e => e.Attempts).ToList();
        Assert.Equal(server.Files.Count, attempts.Count);
    }

    [Fact]
    public void Validate_RefusesAZeroOrNegativeLimit()
    {
        Assert.Contains("bandwidth limit", Assert.Throws<ArgumentException>(new HaulOptions { MaxBytesPerSecond = 0 }.Validate).Message, StringComparison.Ordinal);
        Assert.Contains("bandwidth limit", Assert.Throws<ArgumentException>(new HaulOptions { MaxBytesPerSecond = -5 }.Validate).Message, StringComparison.Ordinal);
        new HaulOptions { MaxBytesPerSecond = 1 }.Validate();
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(19L)]
    [InlineData(100L * 1024)]
    [InlineData(long.MaxValue)]
    public async Task AnyRate_GivesABucketItCanTakeReadsFrom(long rate)
    {
        // The bucket's clock stands still: nothing is refilled, so a take that had to wait for a refill would never end.
        var time = new FakeTimeProvider();
        using var limit = new Haul.Fetching.BandwidthLimit(rate, time);
        Assert.InRange(limit.MaxChunk, 1, int.MaxValue / 4);

        // A full bucket gives its whole size at once.
        await limit.WaitAsync(limit.MaxChunk, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
