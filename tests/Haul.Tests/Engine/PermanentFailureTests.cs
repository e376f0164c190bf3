using System.Text.Json;
using Haul.Engine;
using Haul.Fetching;
using Haul.Reporting;
using Haul.TestServer;

namespace Haul.Tests.Engine;

[Collection(NetworkTests.Name)]
public sealed class PermanentFailureTests
{
    [Fact]
    public async Task PermanentFailures_EndFailedWithTheirReasonWithoutRetryStorms_AndAreReported()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1 });
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { MaxAttempts = 3 };
        var notFound = TestSupport.Url(server, "/status/404/x.jpg");
        var gone = TestSupport.Url(server, "/status/410/x.jpg");
        var softBlock = TestSupport.Url(server, "/softblock/x.jpg");
        var loop = TestSupport.Url(server, "/loop/a");
        var good = TestSupport.Url(server, server.Files[0].Path);

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(notFound, gone, softBlock, loop, good), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(4, report.Failed);
        var byUrl = report.Failures.ToDictionary(f => f.Item.Url);
        AssertFailure(byUrl[notFound.AbsoluteUri], FailureReason.NotFound, 1);
        AssertFailure(byUrl[gone.AbsoluteUri], FailureReason.Gone, 1);
        AssertFailure(byUrl[softBlock.AbsoluteUri], FailureReason.SoftBlock, 3);
        AssertFailure(byUrl[loop.AbsoluteUri], FailureReason.RedirectLoop, 1);
        Assert.Equal(404, byUrl[notFound.AbsoluteUri].Item.LastStatus);
        Assert.Equal(410, byUrl[gone.AbsoluteUri].Item.LastStatus);

        Assert.Equal(1, server.Counters.RequestsFor("/status/404/x.jpg"));
        Assert.Equal(1, server.Counters.RequestsFor("/status/410/x.jpg"));
        Assert.Equal(3, server.Counters.RequestsFor("/softblock/x.jpg"));
        Assert.Equal(1, server.Counters.RequestsFor("/loop/a"));
        Assert.Equal(1, server.Counters.RequestsFor("/loop/b"));

        // Nothing of a failed item is kept: no file at its final path, no partial file.
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, softBlock)));
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, notFound)));
        Assert.Empty(TestSupport.PartFiles(output.Path));

        var failedLines = await File.ReadAllLinesAsync(Path.Combine(output.Path, ReportWriter.FailedFileName));
        var listed = failedLines.Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(
            new[] { notFound, gone, softBlock, loop }.Select(u => u.AbsoluteUri).Order(StringComparer.Ordinal),
            listed.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(good.AbsoluteUri, failedLines);

        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output.Path, ReportWriter.ReportFileName)));
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("done").GetInt32());
        Assert.Equal(4, root.GetProperty("failed").GetInt32());
        var reasons = root.GetProperty("failures").EnumerateArray()
            .ToDictionary(f => f.GetProperty("url").GetString()!, f => f.GetProperty("reason").GetString());
        Assert.Equal("not-found", reasons[notFound.AbsoluteUri]);
        Assert.Equal("gone", reasons[gone.AbsoluteUri]);
        Assert.Equal("soft-block", reasons[softBlock.AbsoluteUri]);
        Assert.Equal("redirect-loop", reasons[loop.AbsoluteUri]);
        var softBlockEntry = root.GetProperty("failures").EnumerateArray().Single(f => f.GetProperty("url").GetString() == softBlock.AbsoluteUri);
        Assert.Equal(3, softBlockEntry.GetProperty("attempts").GetArrayLength());
        Assert.Equal(1, root.GetProperty("failuresByReason").GetProperty("not-found").GetInt32());
    }

    [Fact]
    public async Task FileLargerThanMaxFileSize_FailsTooLargeAtOnceAndKeepsNothing()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1, MinFileSize = 50_000, MaxFileSize = 50_000 });
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var options = TestSupport.FastOptions(output.Path) with { MaxFileSize = 10_000 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.TooLarge, failure.Item.LastReason);
        Assert.Single(failure.Attempts);
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, url)));
        Assert.Empty(TestSupport.PartFiles(output.Path));
    }

    [Fact]
    public async Task ChunkedBodyGrowingPastMaxFileSize_FailsTooLargeAndKeepsNothing()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1, MinFileSize = 300_000, MaxFileSize = 300_000 });
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.Chunked);
        using var output = new TempFolder();
        var url = TestSupport.Url(server, file.Path);
        var options = TestSupport.FastOptions(output.Path) with { MaxFileSize = 100_000 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.TooLarge, failure.Item.LastReason);
        Assert.Single(failure.Attempts);
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, url)));
        Assert.Empty(TestSupport.PartFiles(output.Path));
    }

    [Fact]
    public async Task ExpectedSha256Mismatch_SameWrongBytesTwice_FailsWithBothHashesAndNoFileAtFinalPath()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1 });
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var input = new Haul.Input.InputBatch();
        input.Requests.Add(new Haul.Input.DownloadRequest(url, null, new string('0', 64)));
        var options = TestSupport.FastOptions(output.Path) with { MaxAttempts = 8 };

        var report = await DownloadJob.RunAsync(options, input, null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.ChecksumMismatch, failure.Item.LastReason);
        Assert.Equal(2, failure.Attempts.Count);
        Assert.Equal($"expected sha256 {new string('0', 64)}, got {server.Files[0].Sha256Hex}", failure.Item.LastDetail);
        Assert.All(failure.Attempts, a => Assert.Equal(FailureReason.ChecksumMismatch, a.Reason));
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, url)));
        Assert.Empty(TestSupport.PartFiles(output.Path));
    }

    private static void AssertFailure(FailedItem failure, FailureReason reason, int attempts)
    {
        Assert.Equal(reason, failure.Item.LastReason);
        Assert.Equal(attempts, failure.Attempts.Count);
        Assert.All(failure.Attempts, a => Assert.Equal(reason, a.Reason));
    }
}
