using System.Diagnostics;
using Haul.Engine;
using Haul.TestServer;

namespace Haul.Tests.Scheduling;

/// <summary>The job's own limits on a host's pace: <c>--wait</c>, <c>--random-wait</c>, <c>--max-rate</c>.</summary>
[Collection(NetworkTests.Name)]
public sealed class HostGapTests
{
    private const int Files = 10;

    private static async Task<(TimeSpan Elapsed, int Done)> RunAsync(Func<HaulOptions, HaulOptions> configure)
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 3, FileCount = Files, MinFileSize = 512, MaxFileSize = 1024 });
        using var folder = new TempFolder();
        var options = configure(TestSupport.FastOptions(folder.Path) with { MaxConcurrency = 8, MaxConcurrencyPerHost = 8 });
        var clock = Stopwatch.StartNew();
        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls));
        return (clock.Elapsed, report.Done);
    }

    [Fact]
    public async Task Wait_spaces_the_starts_of_a_hosts_requests()
    {
        var (elapsed, done) = await RunAsync(o => o with { Wait = TimeSpan.FromMilliseconds(100) });

        Assert.Equal(Files, done);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(100 * (Files - 1)), $"{Files} requests in {elapsed}");
    }

    [Fact]
    public async Task Max_rate_is_a_wait_of_one_over_the_rate()
    {
        var (elapsed, done) = await RunAsync(o => o with { MaxRequestsPerSecond = 10 });

        Assert.Equal(Files, done);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(100 * (Files - 1)), $"{Files} requests in {elapsed}");
    }

    [Fact]
    public async Task Random_wait_draws_each_gap_between_half_and_one_and_a_half_waits()
    {
        // The randomizer's top draw makes every gap about 1.5 waits: longer than the plain wait could ever take.
        var (elapsed, done) = await RunAsync(o => o with { Wait = TimeSpan.FromMilliseconds(100), RandomWait = true, Randomizer = () => 0.99 });

        Assert.Equal(Files, done);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(149 * (Files - 1)), $"{Files} requests in {elapsed}");
    }

    [Fact]
    public void Options_refuse_a_negative_wait_and_a_rate_of_zero()
    {
        var negative = Assert.Throws<ArgumentException>(() => new HaulOptions { Wait = TimeSpan.FromSeconds(-1) }.Validate());
        var zero = Assert.Throws<ArgumentException>(() => new HaulOptions { MaxRequestsPerSecond = 0 }.Validate());

        Assert.Contains("wait", negative.Message, StringComparison.Ordinal);
        Assert.Contains("requests a second", zero.Message, StringComparison.Ordinal);
    }
}
