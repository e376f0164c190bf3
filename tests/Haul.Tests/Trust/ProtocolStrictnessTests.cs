using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;

namespace Haul.Tests.Trust;

/// <summary>Content codings are decoded before a body is verified; broken framing is a protocol error, retried.</summary>
[Collection(NetworkTests.Name)]
public sealed class ProtocolStrictnessTests
{
    private static Task<HostileServer> StartAsync() => HostileServer.StartAsync(new HostileServerOptions
    {
        FileCount = 2,
        MinFileSize = 50_000,
        MaxFileSize = 50_000,
    });

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task EncodedImage_SavedDecoded(string coding)
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var file = server.Files[0];
        var url = TestSupport.Url(server, $"/encoded/{coding}{file.Path}");

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
    }

    [Fact]
    public async Task EncodedBodyCutMidway_RestartsFromZeroNotFromARangeOfDecodedBytes()
    {
        var data = new byte[200_000];
        new Random(7).NextBytes(data);
        var gzip = Gzip(data);
        var head = $"HTTP/1.1 200 OK\nContent-Type: image/jpeg\nContent-Encoding: gzip\nETag: \"v1\"\nContent-Length: {gzip.Length}\nConnection: close\n";
        await using var server = ScriptedServer.Start(
            ScriptedServer.Respond(head, gzip[..(gzip.Length / 2)]),
            ScriptedServer.Respond(head, gzip));
        using var output = new TempFolder();
        var url = new Uri(server.BaseUri, "photo.jpg");

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
        Assert.Equal(2, server.Requests.Count);
        Assert.DoesNotContain("Range:", server.Requests[1], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task EncodedBodyFramedOnlyByTheClose_RefusedBecauseItsEndCannotBeKnown()
    {
        var data = new byte[200_000];
        new Random(8).NextBytes(data);
        var gzip = Gzip(data);
        var head = "HTTP/1.1 200 OK\nContent-Type: image/jpeg\nContent-Encoding: gzip\nConnection: close\n";

        // Half of the gzip stream, then the close: a decoder would take it for the whole body.
        await using var server = ScriptedServer.Start(ScriptedServer.Respond(head, gzip[..(gzip.Length / 2)]));
        using var output = new TempFolder();
        var url = new Uri(server.BaseUri, "photo.jpg");
        var options = TestSupport.FastOptions(output.Path) with { MaxAttempts = 1 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.ProtocolError, failure.Item.LastReason);
        Assert.Contains("truncation", failure.Item.LastDetail, StringComparison.Ordinal);
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, url)));
    }

    [Fact]
    public async Task UnknownContentCoding_FailsPermanentlyWithTheCodingNamed()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.ContentEncodingUnknown, FaultKind.ContentEncodingUnknown);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(TestSupport.Url(server, file.Path)), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.UnsupportedEncoding, failure.Item.LastReason);
        Assert.Contains("zstd", failure.Item.LastDetail, StringComparison.Ordinal);
        Assert.Single(failure.Attempts);
        Assert.Empty(TestSupport.PartFiles(output.Path));
    }

    [Theory]
    [InlineData(FaultKind.DuplicateContentLength)]
    [InlineData(FaultKind.NegativeContentLength)]
    public async Task BrokenContentLength_ProtocolErrorRetriedThenDone(FaultKind fault)
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var file = server.Files[0];
        var url = TestSupport.Url(server, file.Path);
        server.Script(file.Path, fault);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        var attempts = await TestSupport.AttemptsOfAsync(output.Path, url);
        Assert.Equal(FailureReason.ProtocolError, attempts[0].Reason);
        Assert.Contains("Content-Length", attempts[0].Detail, StringComparison.Ordinal);
        Assert.Equal(FailureReason.None, attempts[^1].Reason);
    }

    [Fact]
    public async Task ItemDeadlineCutsAnEndlessBody_AttemptRecordedAndPartFileDeleted()
    {
        await using var server = ScriptedServer.Start(
            ScriptedServer.Endless("HTTP/1.1 200 OK\nContent-Type: application/octet-stream\nETag: \"endless\"\nConnection: close\n"));
        using var output = new TempFolder();
        var url = new Uri(server.BaseUri, "endless.bin");
        var options = TestSupport.FastOptions(output.Path) with { ItemTimeout = TimeSpan.FromSeconds(1.5), MaxAttempts = 1 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.ItemTimeout, failure.Item.LastReason);
        var attempt = Assert.Single(failure.Attempts);
        Assert.Equal(FailureReason.ItemTimeout, attempt.Reason);
        Assert.Empty(TestSupport.PartFiles(output.Path));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }
}
