using System.Diagnostics;
using Haul.Engine;
using Haul.Journal;
using Haul.TestServer;

namespace Haul.Tests.Scheduling;

/// <summary>One attempt is the unit of work: a host that pushes back waits in its queue and never holds the others back.</summary>
[Collection(NetworkTests.Name)]
public sealed class HostStateTests
{
    private static Task<HostileServer> Healthy(int files) => HostileServer.StartAsync(new HostileServerOptions
    {
        FileCount = files,
        MinFileSize = 20_000,
        MaxFileSize = 20_000,
    });

    private static Task<HostileServer> Throttled(int retryAfterSeconds) =>
        HostileServer.StartAsync(new HostileServerOptions { FileCount = 1, RetryAfterSeconds = retryAfterSeconds });

    private static IEnumerable<Uri> Throttling(HostileServer server, int count) =>
        Enumerable.Range(0, count).Select(i => TestSupport.Url(server, $"/status/429/img{i}.jpg"));

    [Fact]
    public async Task HostsThatAlwaysAnswer429_DoNotSlowAHealthyHost_WithFewerWorkersThanTheirSlots()
    {
        await using var healthy = await Healthy(120);
        // A healthy host held back by the throttled ones would lose at least their Retry-After of 10 s: far more than the
        // few seconds a busy machine may add to one of the two runs compared below.
        const int RetryAfterSeconds = 10;
        var throttled = new List<HostileServer>();
        for (var i = 0; i < 3; i++)
        {
            throttled.Add(await Throttled(RetryAfterSeconds));
        }

        try
        {
            using var alone = new TempFolder();
            using var mixed = new TempFolder();
            HaulOptions Options(string folder) => TestSupport.FastOptions(folder) with { MaxConcurrency = 4, MaxConcurrencyPerHost = 4 };

            var timeAlone = await TestSupport.TimeUntilSavedAsync(Options(alone.Path), healthy.FileUrls, healthy);

            // The throttled hosts come first in the list, with 12 slots between them for 4 workers.
            var urls = throttled.SelectMany(t => Throttling(t, 20)).Concat(healthy.FileUrls);
            var timeMixed = await TestSupport.TimeUntilSavedAsync(Options(mixed.Path), urls, healthy);

            Assert.True(
                timeMixed < (timeAlone * 2) + TimeSpan.FromSeconds(4),
                $"healthy host alone {timeAlone.TotalSeconds:0.00} s, next to throttled hosts {timeMixed.TotalSeconds:0.00} s");
            Assert.All(throttled, t => Assert.True(t.Counters.Requests <= 8, $"a throttled host got {t.Counters.Requests} requests in {timeMixed.TotalSeconds:0.0} s"));
        }
        finally
        {
            foreach (var server in throttled)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RetryAfterLongerThanTheItemsBudget_FailsTheHostsItemsWithoutWaitingOrKnocking_EvenAcrossARerun()
    {
        await using var throttled = await Throttled(retryAfterSeconds: 30);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { MaxConcurrencyPerHost = 1, ItemTimeout = TimeSpan.FromSeconds(5) };
        var urls = Throttling(throttled, 20).ToList();

        // One request, answered 429 with Retry-After: 30, longer than an item may take: waiting could only end in
        // timeouts, so every item of the host fails at once with the host's reason, and the job ends: it does not hang.
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            var report = await DownloadJob.RunAsync(options, TestSupport.Batch(urls), null, stop.Token);
            Assert.Equal(20, report.Failed);
            Assert.Equal(20, report.FailuresByReason[Haul.Fetching.FailureReason.TooManyRequests]);
        }

        Assert.Equal(1, throttled.Counters.Requests);
        var journal = await TestSupport.ReadJournalAsync(output.Path);
        Assert.Contains(journal, e => e.Item.LastDetail?.Contains("asked not to be asked again before", StringComparison.Ordinal) == true);

        // The pause is in the journal: a rerun does not knock again before it ends.
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            var report = await DownloadJob.RunAsync(options, TestSupport.Batch(urls), null, stop.Token);
            Assert.Equal(20, report.Failed);
        }

        Assert.Equal(1, throttled.Counters.Requests);
    }

    [Fact]
    public async Task RetryAfterOfYears_FailsTheItemsAndARerunWithNewUrlsOfTheHostEndsToo()
    {
        // About three years: longer than any timer can wait in one go.
        await using var throttled = await Throttled(retryAfterSeconds: 99_999_999);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { MaxConcurrencyPerHost = 1 };

        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            var report = await DownloadJob.RunAsync(options, TestSupport.Batch(Throttling(throttled, 2)), null, stop.Token);
            Assert.Equal(2, report.Failed);
        }

        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            var more = Enumerable.Range(10, 3).Select(i => TestSupport.Url(throttled, $"/status/429/new{i}.jpg"));
            var report = await DownloadJob.RunAsync(options, TestSupport.Batch(more), null, stop.Token);
            Assert.Equal(5, report.Failed);
        }

        Assert.Equal(1, throttled.Counters.Requests);
    }

    [Fact]
    public async Task RedirectTargetThatAnswers429_IsPaused_NotTheHostThatRedirected()
    {
        await using var origin = await Healthy(30);
        await using var target = await Throttled(retryAfterSeconds: 30);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { MaxConcurrency = 4, MaxConcurrencyPerHost = 1 };
        var redirected = Enumerable.Range(0, 10).Select(i => new Uri(
            origin.BaseUri, "/redirect-to?url=" + Uri.EscapeDataString(TestSupport.Url(target, $"/status/429/img{i}.jpg").AbsoluteUri)));

        var elapsed = await TestSupport.TimeUntilSavedAsync(options, redirected.Concat(origin.FileUrls), origin);

        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"the origin's own files took {elapsed.TotalSeconds:0.0} s");
        Assert.Equal(1, target.Counters.Requests);
        Assert.Equal(30 + 10, origin.Counters.Requests);
    }

    [Fact]
    public async Task ManyMoreHostsThanThoseHeldAtOnce_EveryOneIsTakenOnInTurn()
    {
        // 600 hosts, ten times the hosts the frontier holds at once: distinct loopback addresses on a closed port, so
        // that every item ends at once (connection refused) and only the frontier's turnover of hosts is measured.
        using var output = new TempFolder();
        var urls = Enumerable.Range(0, 600).Select(i => new Uri($"http://127.0.{(i / 200) + 1}.{(i % 200) + 1}:9/img{i}.jpg")).ToList();
        var options = TestSupport.FastOptions(output.Path) with { MaxConcurrency = 8, MaxAttempts = 1 };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(urls), null, stop.Token);

        Assert.Equal(600, report.Failed);
        Assert.Equal(0, report.Pending);
        Assert.Equal(600, report.FailuresByReason.GetValueOrDefault(Haul.Fetching.FailureReason.ConnectionRefused));
    }
}
