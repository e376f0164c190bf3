using System.Diagnostics;
using Haul.TestServer;

namespace Haul.Cli.Tests;

public sealed class LimitRateTests
{
    [Fact]
    public async Task Get_with_limit_rate_downloads_every_file_no_faster_than_the_limit()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 0, ExtraFileSizes = [600 * 1024] });
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var url = server.FileUrls.Single();
        var clock = Stopwatch.StartNew();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "--limit-rate", "256k", "-o", "out", "--no-progress", url.AbsoluteUri]);

        clock.Stop();
        Assert.True(result.ExitCode == 0, result.ToString());
        await Support.AssertFileMatchesServerAsync(server, output, url);

        // 600 KiB at 256 KiB/s, less the first quarter second's burst: at least 2 s.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("0")]
    [InlineData("-1k")]
    [InlineData("1.5M")]
    public async Task Get_with_a_bad_limit_rate_exits_2_naming_it(string value)
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "--limit-rate", value, "-o", "out", "--no-progress", server.FileUrls.Single().AbsoluteUri]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.StartsWith($"haul: --limit-rate '{value}' is not a rate", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.Equal(0, server.Counters.Requests);
    }
}
