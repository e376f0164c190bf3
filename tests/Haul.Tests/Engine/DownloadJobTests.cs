using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Haul.Engine;
using Haul.Fetching;
using Haul.Input;
using Haul.Journal;
using Haul.Reporting;
using Haul.TestServer;

namespace Haul.Tests.Engine;

[Collection(NetworkTests.Name)]
public sealed class DownloadJobTests
{
    private static Task<HostileServer> StartAsync(int fileCount = 3, long size = 100_000) => HostileServer.StartAsync(new HostileServerOptions
    {
        FileCount = fileCount,
        MinFileSize = size,
        MaxFileSize = size,
        StallDuration = TimeSpan.FromSeconds(5),
    });

    [Fact]
    public async Task SkippedInputs_CountedAndListedWithTheirRuleInReport()
    {
        await using var server = await StartAsync(1);
        using var output = new TempFolder();
        var input = new InputBatch();
        UrlListParser.ParseLine(TestSupport.Url(server, server.Files[0].Path).AbsoluteUri, "argument 1", input);
        UrlListParser.ParseLine("ftp://example.com/x.jpg", "argument 2", input);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), input, null, CancellationToken.None);

        Assert.Equal(2, report.Total);
        Assert.Equal(1, report.Done);
        Assert.Equal(1, report.Skipped);
        Assert.True(report.Succeeded);
        var skipped = Assert.Single(report.SkippedItems);
        Assert.Equal("ftp://example.com/x.jpg", skipped.Text);
        Assert.Equal("argument 2", skipped.Source);
        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output.Path, ReportWriter.ReportFileName)));
        Assert.Contains("unsupported scheme 'ftp'", json.RootElement.GetProperty("skippedEntries")[0].GetProperty("rule").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChosenOutputPathAndExpectedSha256_FileSavedThereAfterVerification()
    {
        await using var server = await StartAsync(1);
        var file = server.Files[0];
        using var output = new TempFolder();
        var input = new InputBatch();
        input.Requests.Add(new DownloadRequest(TestSupport.Url(server, file.Path), "mine/picture.jpg", file.Sha256Hex));

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), input, null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(Path.Combine(output.Path, "mine", "picture.jpg")));
    }

    [Theory]
    [InlineData(".")]
    [InlineData("./")]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData("../../mine/picture.jpg")]
    public async Task OutputPathNamingNoFileOrClimbing_ThatEntrySkippedWithItsRuleTheOthersDone(string chosen)
    {
        await using var server = await StartAsync(2);
        using var output = new TempFolder();
        var input = new InputBatch();
        input.Requests.Add(new DownloadRequest(TestSupport.Url(server, server.Files[0].Path), chosen, Source: "list.txt:1"));
        input.Requests.Add(new DownloadRequest(TestSupport.Url(server, server.Files[1].Path), Source: "list.txt:2"));

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), input, null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        var skipped = Assert.Single(report.SkippedItems);
        Assert.Equal("list.txt:1", skipped.Source);
        Assert.Contains("output path", skipped.Rule, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(output.Path, "*", SearchOption.AllDirectories), f => !f.Contains(".haul", StringComparison.Ordinal) && !f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith(".txt", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(".haul/journal.db")]
    [InlineData(".HAUL/lock")]
    [InlineData("report.json")]
    [InlineData("failed.txt")]
    public async Task ChosenOutputPathNamingHaulsOwnFiles_SavedElsewhereAndJobStateIntact(string chosen)
    {
        await using var server = await StartAsync(2);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path);
        var input = new InputBatch();
        var chosenUrl = TestSupport.Url(server, server.Files[0].Path);
        input.Requests.Add(new DownloadRequest(chosenUrl, chosen));
        input.Requests.Add(new DownloadRequest(TestSupport.Url(server, server.Files[1].Path)));

        var report = await DownloadJob.RunAsync(options, input, null, CancellationToken.None);

        Assert.Equal(2, report.Done);
        using (var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output.Path, ReportWriter.ReportFileName))))
        {
            Assert.Equal(2, json.RootElement.GetProperty("done").GetInt32());
        }

        Assert.StartsWith("# Failed items", await File.ReadAllTextAsync(Path.Combine(output.Path, ReportWriter.FailedFileName)), StringComparison.Ordinal);
        var journal = await TestSupport.ReadJournalAsync(output.Path);
        var item = journal.Single(e => e.Item.Url == chosenUrl.AbsoluteUri).Item;
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(Haul.Writing.OutputPathMapper.Resolve(output.Path, item.OutputPath!)));

        var again = await DownloadJob.RunAsync(options, input, null, CancellationToken.None);
        Assert.Equal(2, again.Done);
    }

    [Fact]
    public async Task OneItemsFileIsAnotherItemsFolder_BothSaved()
    {
        await using var server = await StartAsync(2);
        using var output = new TempFolder();
        var input = new InputBatch();
        input.Requests.Add(new DownloadRequest(TestSupport.Url(server, server.Files[0].Path), "gallery"));
        input.Requests.Add(new DownloadRequest(TestSupport.Url(server, server.Files[1].Path), "gallery/1.jpg"));

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path) with { MaxConcurrency = 1 }, input, null, CancellationToken.None);

        Assert.Equal(0, report.Failed);
        Assert.Equal(2, report.Done);
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(Path.Combine(output.Path, "gallery")));
        var journal = await TestSupport.ReadJournalAsync(output.Path);
        var child = journal.Single(e => e.Item.Url == TestSupport.Url(server, server.Files[1].Path).AbsoluteUri).Item;
        Assert.Equal(server.Files[1].Sha256Hex, TestSupport.Sha256OfFile(Haul.Writing.OutputPathMapper.Resolve(output.Path, child.OutputPath!)));
    }

    [Fact]
    public async Task FileRenamedBeforeDoneWasCommitted_AdoptedWithoutRequest()
    {
        await using var server = await StartAsync(2);
        using var output = new TempFolder();
        var adoptedUrl = TestSupport.Url(server, server.Files[0].Path);
        await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(adoptedUrl), null, CancellationToken.None);

        // A crash between the rename and the commit of "done": the staged record is there, the state is not.
        await TestSupport.ExecuteOnJournalAsync(output.Path, "UPDATE items SET state = 1;");
        var requestsBefore = server.Counters.RequestsFor(server.Files[0].Path);
        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(2, report.Done);
        Assert.Equal(requestsBefore, server.Counters.RequestsFor(server.Files[0].Path));
        var item = (await TestSupport.ReadJournalAsync(output.Path)).Single(e => e.Item.Url == adoptedUrl.AbsoluteUri).Item;
        Assert.Equal(ItemState.Done, item.State);
        Assert.Equal(server.Files[0].Sha256Hex, item.Sha256);
        Assert.Equal(server.Files[0].Size, item.Bytes);
    }

    [Fact]
    public async Task UnreachablePort_FailsConnectionRefusedAfterMaxAttempts()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { MaxAttempts = 3 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(new Uri($"http://127.0.0.1:{port}/x.jpg")), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.ConnectionRefused, failure.Item.LastReason);
        Assert.Equal(3, failure.Attempts.Count);
        Assert.Equal(2, report.RetriesByReason[FailureReason.ConnectionRefused]);
        Assert.False(report.Succeeded);
    }

    [Fact]
    public async Task StallLongerThanItemBudget_FailsItemTimeout()
    {
        await using var server = await StartAsync(1);
        server.Script(server.Files[0].Path, FaultKind.Stall);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { StallTimeout = TimeSpan.FromSeconds(30), ItemTimeout = TimeSpan.FromSeconds(1) };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(TestSupport.Url(server, server.Files[0].Path)), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.ItemTimeout, failure.Item.LastReason);
        Assert.False(FailureReasons.IsTransient(failure.Item.LastReason));
    }

    [Fact]
    public async Task BodyBelowSpeedFloor_AbandonedAsLowSpeedAndResumed()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 1,
            MinFileSize = 200_000,
            MaxFileSize = 200_000,
            SlowDripBytesPerSecond = 20_000,
        });
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.SlowDrip);
        using var output = new TempFolder();
        var url = TestSupport.Url(server, file.Path);
        var options = TestSupport.FastOptions(output.Path) with { LowSpeedLimit = 100_000, LowSpeedTime = TimeSpan.FromMilliseconds(500) };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        var attempts = await TestSupport.AttemptsOfAsync(output.Path, url);
        Assert.Equal([FailureReason.LowSpeed, FailureReason.None], attempts.Select(a => a.Reason));
        Assert.Equal(attempts[0].BytesReceived, attempts[1].RangeStart);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
    }

    [Fact]
    public async Task SecondJobOnSameOutputFolderWhileFirstRuns_ThrowsJournalLocked()
    {
        await using var server = await StartAsync(1);
        server.Script(server.Files[0].Path, FaultKind.Stall);
        using var output = new TempFolder();

        // The first job waits the whole stall (5 s) out rather than a 1 s deadline: the second starts while it runs
        // even when a slow machine takes a second or more to start it.
        var options = TestSupport.FastOptions(output.Path) with { StallTimeout = TimeSpan.FromSeconds(30) };
        var input = TestSupport.Batch(TestSupport.Url(server, server.Files[0].Path));
        var progress = new JobProgress();
        var first = DownloadJob.RunAsync(options, input, progress, CancellationToken.None);
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (progress.Total == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), patience.Token);
            }
        }

        await Assert.ThrowsAsync<JournalLockedException>(() => DownloadJob.RunAsync(options, input, null, CancellationToken.None));

        Assert.Equal(1, (await first).Done);
    }

    [Fact]
    public async Task OutputFolderIsAFile_ThrowsOutputFolderException()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "not-a-folder");
        await File.WriteAllTextAsync(file, "x");

        var error = await Assert.ThrowsAsync<OutputFolderException>(() =>
            DownloadJob.RunAsync(TestSupport.FastOptions(file), new InputBatch(), null, CancellationToken.None));
        Assert.Contains($"'{file}' is a file, not a folder", error.Message, StringComparison.Ordinal);

        // A folder under that file: the file is named, not a missing part of the path.
        error = await Assert.ThrowsAsync<OutputFolderException>(() =>
            DownloadJob.RunAsync(TestSupport.FastOptions(Path.Combine(file, "sub")), new InputBatch(), null, CancellationToken.None));
        Assert.Contains($"'{file}' is a file, not a folder", error.Message, StringComparison.Ordinal);
        Assert.Equal("x", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task ReadStatusAsync_FinishedJob_ReportsItsItemsWithoutDownloading()
    {
        await using var server = await StartAsync(2);
        using var output = new TempFolder();
        var input = TestSupport.Batch(TestSupport.Url(server, server.Files[0].Path), TestSupport.Url(server, "/status/404/x.jpg"));
        await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), input, null, CancellationToken.None);
        var requests = server.Counters.Requests;

        var status = await DownloadJob.ReadStatusAsync(output.Path, CancellationToken.None);

        Assert.Equal(requests, server.Counters.Requests);
        Assert.Equal(1, status.Done);
        Assert.Equal(FailureReason.NotFound, Assert.Single(status.Failures).Item.LastReason);
        await Assert.ThrowsAsync<OutputFolderException>(() => DownloadJob.ReadStatusAsync(Path.Combine(output.Path, "nothing-here"), CancellationToken.None));
    }

    [Fact]
    public async Task ConfiguredUserAgent_SentWithEveryRequest()
    {
        await using var server = await StartAsync(2);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { UserAgent = "HaulTest/9" };

        await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.All(server.Counters.Log, r => Assert.Equal("HaulTest/9", r.UserAgent));
        Assert.Equal(2, server.Counters.Log.Count);
    }

    [Fact]
    public async Task DefaultUserAgent_NamesHaulAndItsVersion()
    {
        await using var server = await StartAsync(1);
        using var output = new TempFolder();

        await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        var userAgent = Assert.Single(server.Counters.Log).UserAgent;
        Assert.Matches(@"^Haul/\d+\.\d+\.\d+$", userAgent);
        Assert.Equal("Haul/" + typeof(DownloadJob).Assembly.GetName().Version!.ToString(3), userAgent);
    }
}
