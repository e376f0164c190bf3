using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;

namespace Haul.Tests.Engine;

[Collection(NetworkTests.Name)]
public sealed class StallTests
{
    [Fact]
    public async Task StalledBody_ThatNoRangeCanContinue_AbandonedWithinStallDeadlineAndFinishedByRetry()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 1,
            MinFileSize = 200_000,
            MaxFileSize = 200_000,
            StallDuration = TimeSpan.FromSeconds(30),
        });
        var file = server.Files[0];
        // The hedge's range is answered with the whole file, so the stalled attempt ends at its deadline.
        server.Script(file.Path, FaultKind.Stall, FaultKind.RangeIgnored);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path);
        var url = TestSupport.Url(server, file.Path);

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.Stall));
        var attempts = await TestSupport.AttemptsOfAsync(output.Path, url);
        Assert.Equal(2, attempts.Count);
        Assert.Equal(FailureReason.BodyStall, attempts[0].Reason);
        Assert.True(attempts[0].BytesReceived > 0);
        // Waiting the stall out would take 30 s; a bound of a few deadlines leaves a slow machine seconds.
        Assert.True(
            attempts[0].Elapsed < options.StallTimeout + options.StallTimeout + TimeSpan.FromSeconds(5),
            $"the stalled attempt took {attempts[0].Elapsed}, the stall deadline is {options.StallTimeout}");
        Assert.Equal(FailureReason.None, attempts[1].Reason);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
    }
}
