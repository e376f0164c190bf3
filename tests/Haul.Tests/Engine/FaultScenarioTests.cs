using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;

namespace Haul.Tests.Engine;

[Collection(NetworkTests.Name)]
public sealed class FaultScenarioTests
{
    private static Task<HostileServer> StartAsync(int fileCount = 2) => HostileServer.StartAsync(new HostileServerOptions
    {
        FileCount = fileCount,
        MinFileSize = 300_000,
        MaxFileSize = 300_000,
    });

    private static async Task<(Haul.Reporting.JobReport Report, IReadOnlyList<Haul.Journal.AttemptRecord> Attempts, string Saved)> DownloadAsync(
        HostileServer server, Uri url, TempFolder output)
    {
        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);
        var attempts = await TestSupport.AttemptsOfAsync(output.Path, url);
        return (report, attempts, TestSupport.SavedPath(output.Path, url));
    }

    [Fact]
    public async Task RangeIgnoredAfterReset_RestartsFromZeroWithoutDoublingTheBody()
    {
        await using var server = await StartAsync();
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.ResetMidBody, FaultKind.RangeIgnored);
        using var output = new TempFolder();

        var (report, attempts, saved) = await DownloadAsync(server, TestSupport.Url(server, file.Path), output);

        Assert.Equal(1, report.Done);
        var log = server.Counters.Log;
        Assert.Equal(2, log.Count);
        Assert.NotNull(log[1].RangeStart);
        Assert.Equal(FaultKind.RangeIgnored, log[1].Fault);
        Assert.Equal(200, log[1].Status);
        Assert.Equal(file.Size, new FileInfo(saved).Length);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(saved));
        Assert.Equal(file.Size, attempts[^1].BytesReceived);
    }

    [Fact]
    public async Task ETagChangedAfterReset_IfRangeMismatchYieldsWholeNewVersion()
    {
        await using var server = await StartAsync();
        var original = server.Files[0];
        server.Script(original.Path, FaultKind.ResetMidBody, FaultKind.ETagChanged);
        using var output = new TempFolder();

        var (report, _, saved) = await DownloadAsync(server, TestSupport.Url(server, original.Path), output);

        Assert.Equal(1, report.Done);
        var current = server.GetFile(original.Path);
        Assert.Equal(2, current.Version);
        Assert.NotEqual(original.Sha256Hex, current.Sha256Hex);
        var log = server.Counters.Log;
        Assert.Equal(2, log.Count);
        Assert.Equal(original.ETag, log[1].IfRange);
        Assert.NotNull(log[1].RangeStart);
        Assert.Equal(200, log[1].Status);
        Assert.Equal(current.Sha256Hex, TestSupport.Sha256OfFile(saved));
    }

    [Fact]
    public async Task TruncatedBody_ResumesWithRangeAndMatchesHash()
    {
        await using var server = await StartAsync();
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.Truncate);
        using var output = new TempFolder();

        var (report, attempts, saved) = await DownloadAsync(server, TestSupport.Url(server, file.Path), output);

        Assert.Equal(1, report.Done);
        Assert.Equal(FailureReason.Truncated, attempts[0].Reason);
        Assert.Equal(attempts[0].BytesReceived, attempts[1].RangeStart);
        Assert.Equal(206, server.Counters.Log[1].Status);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(saved));
    }

    [Fact]
    public async Task ChunkedBodyWithoutContentLength_SavedByteIdentical()
    {
        await using var server = await StartAsync();
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.Chunked);
        using var output = new TempFolder();

        var (report, attempts, saved) = await DownloadAsync(server, TestSupport.Url(server, file.Path), output);

        Assert.Equal(1, report.Done);
        Assert.Equal(FaultKind.Chunked, Assert.Single(server.Counters.Log).Fault);
        Assert.Single(attempts);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(saved));
    }

    [Fact]
    public async Task WrongContentTypeOnRealImage_SavedOnFirstAttempt()
    {
        await using var server = await StartAsync();
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.WrongContentType);
        using var output = new TempFolder();

        var (report, attempts, saved) = await DownloadAsync(server, TestSupport.Url(server, file.Path), output);

        Assert.Equal(1, report.Done);
        Assert.Equal(FaultKind.WrongContentType, Assert.Single(server.Counters.Log).Fault);
        Assert.Equal(FailureReason.None, Assert.Single(attempts).Reason);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(saved));
    }

    [Fact]
    public async Task SoftBlockPageInsteadOfImage_NotSavedAndRetriedUntilTheImageArrives()
    {
        await using var server = await StartAsync();
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.SoftBlock);
        using var output = new TempFolder();

        var (report, attempts, saved) = await DownloadAsync(server, TestSupport.Url(server, file.Path), output);

        Assert.Equal(1, report.Done);
        Assert.Equal([FailureReason.SoftBlock, FailureReason.None], attempts.Select(a => a.Reason));
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(saved));
    }

    [Theory]
    [InlineData(FaultKind.InternalServerError, FailureReason.ServerError)]
    [InlineData(FaultKind.BadGateway, FailureReason.ServerError)]
    [InlineData(FaultKind.GatewayTimeout, FailureReason.ServerError)]
    public async Task ServerErrorStatus_RetriedWithBackoffThenSaved(FaultKind fault, FailureReason reason)
    {
        await using var server = await StartAsync();
        var file = server.Files[0];
        server.Script(file.Path, fault, fault);
        using var output = new TempFolder();

        var (report, attempts, saved) = await DownloadAsync(server, TestSupport.Url(server, file.Path), output);

        Assert.Equal(1, report.Done);
        Assert.Equal([reason, reason, FailureReason.None], attempts.Select(a => a.Reason));
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(saved));
    }

    [Fact]
    public async Task RedirectChain_SavedAtMappedPathOfOriginalUrl()
    {
        await using var server = await StartAsync();
        var target = server.GetFile("/files/img00001.png");
        using var output = new TempFolder();
        var url = TestSupport.Url(server, "/redirect/3/files/img00001.png");

        var (report, _, saved) = await DownloadAsync(server, url, output);

        Assert.Equal(1, report.Done);
        Assert.Equal(5, server.Counters.Requests);
        Assert.Equal(target.Sha256Hex, TestSupport.Sha256OfFile(saved));
        Assert.EndsWith("/redirect/3/files/img00001.png", saved.Replace('\\', '/'), StringComparison.Ordinal);
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, TestSupport.Url(server, target.Path))));
    }

    [Fact]
    public async Task RedirectChainLongerThanMaxRedirects_FailsTooManyRedirects()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, "/redirect/5/files/img00001.png");
        var options = TestSupport.FastOptions(output.Path) with { MaxRedirects = 2 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.TooManyRedirects, failure.Item.LastReason);
        Assert.Single(failure.Attempts);
    }

    [Fact]
    public async Task RateLimitBan_ResetConnectionsSurvivedWithBackoff_AllFilesDone()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 60,
            MinFileSize = 1024,
            MaxFileSize = 8 * 1024,
            Ban = new BanOptions(RequestsPerSecond: 20, Duration: TimeSpan.FromSeconds(1)),
        });
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { MaxAttempts = 12 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.True(server.Counters.FaultsInjected(FaultKind.BanReset) > 0, "the run never triggered the ban");
        Assert.Equal(0, report.Failed);
        Assert.Equal(60, report.Done);
        Assert.True(report.RetriesByReason.GetValueOrDefault(FailureReason.ConnectionReset) > 0);
        foreach (var file in server.Files)
        {
            Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, TestSupport.Url(server, file.Path))));
        }
    }
}
