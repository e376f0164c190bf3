using Haul.Engine;
using Haul.TestServer;

namespace Haul.Tests.Engine;

[Collection(NetworkTests.Name)]
public sealed class RangeResumeTests
{
    [Fact]
    public async Task LargeFileResetAtSeveralOffsets_ResumesWithRangeFromEachOffsetAndMatchesHash()
    {
        const long size = 20 * 1024 * 1024;
        long[] offsets = [3_000_000, 9_000_000, 15_000_000];
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 0, ExtraFileSizes = [size] });
        var file = server.Files[0];
        server.ScriptResetAt(file.Path, offsets);
        using var output = new TempFolder();
        var url = TestSupport.Url(server, file.Path);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
        var requests = server.Counters.Log.Where(r => r.Path == file.Path).ToList();
        Assert.Equal(3, requests.Count(r => r.Fault == FaultKind.ResetMidBody));
        Assert.Null(requests[0].RangeStart);

        // Each resume starts where the bytes on disk end: at the reset offset, or a little before it when the reset
        // discarded data still queued in the server's socket (a loaded machine reads late); never past it.
        var rangeStarts = requests.Where(r => r.RangeStart is not null).Select(r => r.RangeStart!.Value).ToList();
        Assert.Equal(offsets.Length, rangeStarts.Count);
        for (var i = 0; i < offsets.Length; i++)
        {
            Assert.InRange(rangeStarts[i], i == 0 ? 1 : offsets[i - 1] + 1, offsets[i]);
        }

        Assert.All(requests.Skip(1), r => Assert.Equal(file.ETag, r.IfRange));
        Assert.All(requests.Skip(1), r => Assert.Equal(206, r.Status));
        Assert.True(server.Counters.BodyBytesSentFor(file.Path) < 2 * size, $"sent {server.Counters.BodyBytesSentFor(file.Path)} bytes for a {size}-byte file");

        var attempts = await TestSupport.AttemptsOfAsync(output.Path, url);
        Assert.Equal([null, .. rangeStarts.Select(o => (long?)o)], attempts.Select(a => a.RangeStart));
        for (var i = 1; i < attempts.Count; i++)
        {
            Assert.Equal(attempts[i].RangeStart, (attempts[i - 1].RangeStart ?? 0) + attempts[i - 1].BytesReceived);
        }

        Assert.Equal(size, attempts[^1].RangeStart + attempts[^1].BytesReceived);
    }
}
