using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;

namespace Haul.Tests.Engine;

[Collection(NetworkTests.Name)]
public sealed class RetryAfterJobTests
{
    [Theory]
    [InlineData(FaultKind.TooManyRequestsSeconds, FailureReason.TooManyRequests)]
    [InlineData(FaultKind.ServiceUnavailable, FailureReason.ServiceUnavailable)]
    public async Task RetryAfterInSeconds_SecondAttemptStartsAfterTheAnnouncedWait(FaultKind fault, FailureReason reason)
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1, RetryAfterSeconds = 1 });
        var file = server.Files[0];
        server.Script(file.Path, fault);
        using var output = new TempFolder();
        var url = TestSupport.Url(server, file.Path);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(1, report.RetriesByReason.GetValueOrDefault(reason));
        var attempts = await TestSupport.AttemptsOfAsync(output.Path, url);
        Assert.Equal([reason, FailureReason.None], attempts.Select(a => a.Reason));
        var gap = attempts[1].StartedAt - attempts[0].StartedAt;
        Assert.True(gap >= TimeSpan.FromMilliseconds(950), $"the retry started {gap} after the first attempt; the server asked for 1 s");
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
    }

    [Fact]
    public async Task RetryAfterAsHttpDate_SecondAttemptWaitsUntilThatDate()
    {
        // The date has whole seconds: two seconds ahead means a wait of more than one second.
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1, RetryAfterSeconds = 2 });
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.TooManyRequestsDate);
        using var output = new TempFolder();
        var url = TestSupport.Url(server, file.Path);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.TooManyRequestsDate));
        var attempts = await TestSupport.AttemptsOfAsync(output.Path, url);
        Assert.Equal([FailureReason.TooManyRequests, FailureReason.None], attempts.Select(a => a.Reason));
        var gap = attempts[1].StartedAt - attempts[0].StartedAt;
        Assert.True(gap >= TimeSpan.FromMilliseconds(950), $"the retry started {gap} after the first attempt; the date was more than 1 s ahead");
    }

    [Fact]
    public async Task TooManyRequests_PausesTheWholeHost_NoNewItemStartsBeforeTheWaitEnds()
    {
        // Three files; two workers. A answers 429 (Retry-After: 1) at once, B takes ~0.2 s, then C would start.
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 3,
            MinFileSize = 20_000,
            MaxFileSize = 20_000,
            SlowDripBytesPerSecond = 100_000,
            RetryAfterSeconds = 1,
        });
        var (a, b, c) = (server.Files[0], server.Files[1], server.Files[2]);
        server.Script(a.Path, FaultKind.TooManyRequestsSeconds);
        server.Script(b.Path, FaultKind.SlowDrip);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { MaxConcurrency = 2, MaxConcurrencyPerHost = 2 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(3, report.Done);
        var first429 = (await TestSupport.AttemptsOfAsync(output.Path, TestSupport.Url(server, a.Path)))[0];
        Assert.Equal(FailureReason.TooManyRequests, first429.Reason);
        // Whatever had not started when the 429 came waited out the pause: B may have been in flight already (then C
        // would have started as soon as B ended, 0.2 s in, without the pause), or may itself have waited.
        foreach (var other in new[] { b, c })
        {
            var started = (await TestSupport.AttemptsOfAsync(output.Path, TestSupport.Url(server, other.Path)))[0].StartedAt;
            // The journal keeps attempts' durations in whole milliseconds: within one of A's end is before its 429 was read.
            var inFlight = started <= first429.StartedAt + first429.Elapsed + TimeSpan.FromMilliseconds(1);
            var after = started - first429.StartedAt;
            Assert.True(
                inFlight || after >= TimeSpan.FromMilliseconds(950),
                $"{other.Path} started {after.TotalMilliseconds:0} ms after A's request, after its 429; the host was paused for 1 s");
        }

        var cStarted = (await TestSupport.AttemptsOfAsync(output.Path, TestSupport.Url(server, c.Path)))[0].StartedAt;
        Assert.True(cStarted - first429.StartedAt >= TimeSpan.FromMilliseconds(950), "C, which cannot start before a slot frees, started during the pause");
    }

    [Fact]
    public async Task RetryAfterBeyondItemBudget_FailsAtOnceWithTooManyRequestsAfterOneAttempt()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1, RetryAfterSeconds = 30 });
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.TooManyRequestsSeconds);
        using var output = new TempFolder();
        var url = TestSupport.Url(server, file.Path);
        var options = TestSupport.FastOptions(output.Path) with { ItemTimeout = TimeSpan.FromSeconds(2) };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        // Waiting would have ended in item-timeout; the server's own reason shows that Haul gave up without waiting.
        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.TooManyRequests, failure.Item.LastReason);
        Assert.Equal(429, failure.Item.LastStatus);
        var attempt = Assert.Single(failure.Attempts);
        Assert.Equal(429, attempt.Status);
        Assert.Equal(1, server.Counters.RequestsFor(file.Path));
    }
}
