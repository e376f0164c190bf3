using System.Diagnostics;
using Haul.Engine;
using Haul.TestServer;

namespace Haul.Tests.Scheduling;

/// <summary>
/// A host that answers 503 for a whole minute is paused, with pauses that grow, and resumed when it recovers: it is
/// not hammered. Mostly waiting, so it runs beside the other network tests rather than among them.
/// </summary>
public sealed class OutageTests
{
    [Fact]
    public async Task A_host_answering_503_for_a_minute_is_paused_and_resumed_not_hammered()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 50,
            MinFileSize = 1024,
            MaxFileSize = 4096,
            Outage = TimeSpan.FromMinutes(1),
        });
        using var output = new TempFolder();

        // The defaults' delays (a first pause of 1 s), not the fast ones of other tests.
        var options = new HaulOptions { OutputDirectory = output.Path, ConnectTimeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(50, report.Done);
        TestSupport.AssertAllSaved(output.Path, server);
        var refused = server.Counters.Log.Count(r => r.Status == 503);
        Assert.True(refused >= 5, $"only {refused} requests met the outage: the test proves nothing");
        Assert.True(refused <= 12, $"{refused} requests during a one-minute outage");

        // Pauses grow to at most 30 s (±25 %), so the host is taken up again soon after it recovers.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60 + 38 + 10), $"the job took {clock.Elapsed.TotalSeconds:0} s");
        var host = Assert.Single(report.Hosts);
        Assert.Equal(refused, host.Events.Unavailable);
    }
}
