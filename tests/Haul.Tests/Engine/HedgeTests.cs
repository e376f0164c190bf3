using System.Diagnostics;
using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;

namespace Haul.Tests.Engine;

/// <summary>Stalls that cost seconds: the adaptive stall deadline and the hedged range request, against the hostile server.</summary>
[Collection(NetworkTests.Name)]
public sealed class HedgeTests
{
    [Fact]
    public async Task StallingBodies_AreFinishedByHedges_LongBeforeTheFixedDeadline()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 40,
            MinFileSize = 100_000,
            MaxFileSize = 300_000,
            StallDuration = TimeSpan.FromSeconds(60),
        });
        int[] stalling = [12, 16, 20, 24, 28, 32];
        foreach (var index in stalling)
        {
            server.Script(server.Files[index].Path, FaultKind.Stall);
        }

        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { StallTimeout = HaulDefaults.StallTimeout };
        var progress = new JobProgress();
        var clock = Stopwatch.StartNew();

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), progress, CancellationToken.None);

        clock.Stop();
        Assert.Equal(server.Files.Count, report.Done);
        // Waiting for the fixed deadline would take 20 s at least; a bound well under it leaves a slow machine seconds.
        Assert.True(clock.Elapsed < options.StallTimeout * 0.7, $"the job took {clock.Elapsed}; the fixed stall deadline is {options.StallTimeout}");
        Assert.Equal(stalling.Length, server.Counters.FaultsInjected(FaultKind.Stall));
        Assert.Equal(stalling.Length, progress.Hedges);
        Assert.Equal(stalling.Length, progress.HedgesWon);
        foreach (var file in server.Files)
        {
            var url = TestSupport.Url(server, file.Path);
            Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
        }

        foreach (var index in stalling)
        {
            var file = server.Files[index];
            var url = TestSupport.Url(server, file.Path);
            var attempt = Assert.Single(await TestSupport.AttemptsOfAsync(output.Path, url));
            Assert.Equal(FailureReason.None, attempt.Reason);
            var requests = server.Counters.Log.Where(r => r.Path == file.Path).OrderBy(r => r.ConnectionId).ToList();
            Assert.Equal(2, requests.Count);
            var (stalled, hedge) = (requests[0], requests[1]);
            Assert.Equal(FaultKind.Stall, stalled.Fault);
            Assert.NotEqual(stalled.ConnectionId, hedge.ConnectionId);
            Assert.Equal(1, hedge.RequestOnConnection);
            Assert.Equal(206, hedge.Status);
            Assert.Equal(stalled.BodyBytesSent, hedge.RangeStart);
            Assert.Equal(file.ETag, hedge.IfRange);
        }
    }

    [Fact]
    public async Task StallOnAServerIgnoringRange_EndsAtTheDeadlineAndIsRetried()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 1,
            MinFileSize = 200_000,
            MaxFileSize = 200_000,
            StallDuration = TimeSpan.FromSeconds(60),
        });
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.Stall, FaultKind.RangeIgnored, FaultKind.RangeIgnored);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { StallTimeout = TimeSpan.FromSeconds(2) };
        var progress = new JobProgress();
        var url = TestSupport.Url(server, file.Path);
        var clock = Stopwatch.StartNew();

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), progress, CancellationToken.None);

        clock.Stop();
        Assert.Equal(1, report.Done);
        // Waiting the stall out would take a minute; bounds of a few deadlines leave a slow machine seconds.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the job took {clock.Elapsed}");
        Assert.Equal(1, progress.Hedges);
        Assert.Equal(0, progress.HedgesWon);
        var attempts = await TestSupport.AttemptsOfAsync(output.Path, url);
        Assert.Equal(2, attempts.Count);
        Assert.Equal(FailureReason.BodyStall, attempts[0].Reason);
        Assert.True(attempts[0].Elapsed < (options.StallTimeout * 2) + TimeSpan.FromSeconds(3), $"the stalled attempt took {attempts[0].Elapsed}");
        Assert.Equal(FailureReason.None, attempts[1].Reason);
        Assert.Equal(2, server.Counters.FaultsInjected(FaultKind.RangeIgnored));
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
    }

    [Fact]
    public async Task StallThatResumesBeforeTheHedgeAnswers_KeepsTheOriginal()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 1,
            MinFileSize = 200_000,
            MaxFileSize = 200_000,
            StallDuration = TimeSpan.FromSeconds(6),
        });
        var file = server.Files[0];

        // The body pauses 6 s; the hedge opened at 4 s would get its headers at 10 s, and a second hedge would open at
        // 8 s. Two seconds on every side: a slow machine may open the hedge late, or take time to read the rest of the
        // body, without changing the outcome.
        server.Script(file.Path, FaultKind.Pause, FaultKind.SlowHead);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { StallTimeout = TimeSpan.FromSeconds(4) };
        var progress = new JobProgress();
        var url = TestSupport.Url(server, file.Path);

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), progress, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(1, progress.Hedges);
        Assert.Equal(0, progress.HedgesWon);
        var attempt = Assert.Single(await TestSupport.AttemptsOfAsync(output.Path, url));
        Assert.Equal(FailureReason.None, attempt.Reason);
        Assert.Equal(200_000, attempt.BytesReceived);
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.Pause));
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
    }
}
