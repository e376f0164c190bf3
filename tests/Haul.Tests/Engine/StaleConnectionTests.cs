using Haul.Engine;
using Haul.TestServer;

namespace Haul.Tests.Engine;

[Collection(NetworkTests.Name)]
public sealed class StaleConnectionTests
{
    private static HostileServerOptions StaleServer(int fileCount) => new()
    {
        FileCount = fileCount,
        MinFileSize = 1024,
        MaxFileSize = 16 * 1024,
        StaleAfterIdle = TimeSpan.FromMilliseconds(50),
    };

    [Fact]
    public async Task PlainHttpClient_ReusesConnectionIdleBeyondServerTimeout_ThrowsHttpRequestException()
    {
        await using var server = await HostileServer.StartAsync(StaleServer(5));
        using var client = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

        var error = await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            foreach (var url in server.FileUrls)
            {
                await client.GetByteArrayAsync(url);
                await Task.Delay(TimeSpan.FromMilliseconds(150));
            }
        });

        Assert.Equal(Haul.Fetching.FailureReason.ConnectionReset, Haul.Fetching.FailureClassifier.ClassifySend(error).Reason);
        Assert.True(server.Counters.FaultsInjected(FaultKind.StaleReset) > 0);
    }

    [Fact]
    public async Task StaleKeepAliveRace_200Files_AllDoneByteIdenticalWithoutFailures()
    {
        await using var server = await HostileServer.StartAsync(StaleServer(200));

        // Busy connections never idle past 50 ms; a server's pushback does. One 429 (Retry-After: 1) pauses the host,
        // so every pooled connection idles for a second and the requests after the pause meet the race.
        var pushedBack = server.Files[40].Path;
        server.Script(pushedBack, FaultKind.TooManyRequestsSeconds);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { MaxConcurrency = 4 };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(0, report.Failed);
        Assert.Equal(200, report.Done);
        Assert.True(server.Counters.FaultsInjected(FaultKind.StaleReset) > 0, "the server never reset a stale connection during the run");

        // A reset on a reused connection is sent again at once on a fresh one: it costs no attempt.
        Assert.True(report.RetriesByReason.GetValueOrDefault(Haul.Fetching.FailureReason.StaleConnection) > 0);
        var journal = await TestSupport.ReadJournalAsync(output.Path);
        Assert.All(journal.Where(e => !e.Item.Url.EndsWith(pushedBack, StringComparison.Ordinal)), e => Assert.Single(e.Attempts));
        Assert.All(journal.SelectMany(e => e.Attempts), a => Assert.True(a.Reason is Haul.Fetching.FailureReason.None or Haul.Fetching.FailureReason.TooManyRequests, a.ToString()));
        foreach (var file in server.Files)
        {
            var saved = TestSupport.SavedPath(output.Path, TestSupport.Url(server, file.Path));
            Assert.Equal(server.GetFile(file.Path).Sha256Hex, TestSupport.Sha256OfFile(saved));
        }
    }
}
