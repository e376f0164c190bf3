using Haul.Engine;
using Haul.Journal;
using Haul.TestServer;

namespace Haul.Tests.Engine;

[Collection(NetworkTests.Name)]
public sealed class ResumeAcrossRunsTests
{
    [Fact]
    public async Task JobCancelledWhileLargeFileIsPartial_SecondRunResumesWithRangeAndSkipsDoneItems()
    {
        const long largeSize = 8 * 1024 * 1024;
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 12,
            MinFileSize = 1024,
            MaxFileSize = 32 * 1024,
            ExtraFileSizes = [largeSize],
            SlowDripBytesPerSecond = 1_000_000,
        });
        var large = server.Files[^1];
        var small = server.Files.Take(12).ToList();
        server.Script(large.Path, FaultKind.SlowDrip);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path);
        var input = TestSupport.Batch(server.FileUrls);
        var partsFolder = Path.Combine(output.Path, SqliteJobJournal.StateFolderName, "parts");

        using var cancel = new CancellationTokenSource();
        var progress = new JobProgress();
        var first = DownloadJob.RunAsync(options, input, progress, cancel.Token);
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (!(progress.Done == small.Count && PartLength(partsFolder) >= 1_000_000))
            {
                Assert.False(first.IsCompleted, "the first run ended before it could be interrupted");
                await Task.Delay(TimeSpan.FromMilliseconds(20), patience.Token);
            }
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var partial = PartLength(partsFolder);
        Assert.InRange(partial, 1_000_000, largeSize - 1);
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, TestSupport.Url(server, large.Path))));
        var requestsAfterFirstRun = server.Counters.Log.Count;
        using (var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output.Path, Haul.Reporting.ReportWriter.ReportFileName))))
        {
            Assert.Equal(small.Count, json.RootElement.GetProperty("done").GetInt32());
            Assert.Equal(1, json.RootElement.GetProperty("pending").GetInt32());
            Assert.Equal(0, json.RootElement.GetProperty("failed").GetInt32());
        }

        var report = await DownloadJob.RunAsync(options, input, null, CancellationToken.None);

        Assert.Equal(server.Files.Count, report.Done);
        Assert.Equal(0, report.Pending);
        var secondRun = server.Counters.Log.Skip(requestsAfterFirstRun).ToList();
        var resumed = Assert.Single(secondRun);
        Assert.Equal(large.Path, resumed.Path);
        Assert.Equal(partial, resumed.RangeStart);
        Assert.Equal(206, resumed.Status);
        Assert.All(small, f => Assert.Equal(1, server.Counters.RequestsFor(f.Path)));
        Assert.True(server.Counters.BodyBytesSentFor(large.Path) < largeSize + 1_000_000);
        foreach (var file in server.Files)
        {
            Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, TestSupport.Url(server, file.Path))));
        }

        Assert.Empty(TestSupport.PartFiles(output.Path));
    }

    [Fact]
    public async Task SecondRunOfFinishedJob_RequestsNothingAndReportsAllDone()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 5, MinFileSize = 1024, MaxFileSize = 4096 });
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path);
        var input = TestSupport.Batch(server.FileUrls);
        await DownloadJob.RunAsync(options, input, null, CancellationToken.None);
        var requests = server.Counters.Requests;
        var progress = new JobProgress();

        var report = await DownloadJob.RunAsync(options, input, progress, CancellationToken.None);

        Assert.Equal(requests, server.Counters.Requests);
        Assert.Equal(5, report.Done);
        Assert.Equal(5, progress.AlreadyDone);
        Assert.True(report.Succeeded);
    }

    [Fact]
    public async Task RerunOfInterruptedJobWithFailures_GivesTheFailedItemsAFreshStartInThatRun()
    {
        // The failed items have the lowest ids; the pending ones above them are claimed first on the rerun, before the
        // input (read again) reopens the failed ones, which must still be claimed in that run, not left pending.
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 30,
            MinFileSize = 1024,
            MaxFileSize = 2048,
            SlowDripBytesPerSecond = 2048,
        });
        var failing = server.Files.Take(3).ToList();
        foreach (var file in failing)
        {
            server.Script(file.Path, FaultKind.InternalServerError);
        }

        foreach (var file in server.Files.Skip(3))
        {
            server.Script(file.Path, FaultKind.SlowDrip);
        }

        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { MaxAttempts = 1, MaxConcurrencyPerHost = 2, MaxConcurrency = 2 };
        var input = TestSupport.Batch(server.FileUrls);
        using var cancel = new CancellationTokenSource();
        var progress = new JobProgress();
        var first = DownloadJob.RunAsync(options, input, progress, cancel.Token);
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (progress.Failed < failing.Count)
            {
                Assert.False(first.IsCompleted, "the first run ended before it could be interrupted");
                await Task.Delay(TimeSpan.FromMilliseconds(10), patience.Token);
            }
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        var report = await DownloadJob.RunAsync(options with { MaxConcurrency = 16, MaxConcurrencyPerHost = 16 }, input, null, CancellationToken.None);

        Assert.Equal(0, report.Pending);
        Assert.Equal(0, report.Failed);
        Assert.Equal(server.Files.Count, report.Done);
        TestSupport.AssertAllSaved(output.Path, server);
    }

    private static long PartLength(string partsFolder) =>
        Directory.Exists(partsFolder) ? Directory.GetFiles(partsFolder, "*.part").Sum(p => new FileInfo(p).Length) : 0;
}
