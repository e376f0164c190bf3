using System.Net;
using System.Net.Sockets;
using Haul.Engine;
using Haul.Fetching;

namespace Haul.Tests.Engine;

/// <summary>The connect and response-headers deadlines, against raw sockets on loopback that never answer.</summary>
[Collection(NetworkTests.Name)]
public sealed class DeadlineTests
{
    [Fact]
    public async Task ServerAcceptsButNeverAnswers_EachAttemptEndsAtTheHeadersDeadline()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        var held = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await listener.AcceptAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        using var output = new TempFolder();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}/silent.jpg");
        var options = TestSupport.FastOptions(output.Path) with
        {
            ResponseHeadersTimeout = TimeSpan.FromMilliseconds(500),
            MaxAttempts = 2,
        };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);
        await stop.CancelAsync();
        await accepting;
        held.ForEach(s => s.Dispose());

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.HeadersTimeout, failure.Item.LastReason);
        Assert.Equal(2, failure.Attempts.Count);
        Assert.All(failure.Attempts, a =>
        {
            Assert.Equal(FailureReason.HeadersTimeout, a.Reason);
            Assert.InRange(a.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
        });
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, url)));
    }

    [Fact]
    public async Task ListenQueueFullSoSynIsDropped_AttemptEndsAtTheConnectDeadline()
    {
        // A listener that never accepts, with its queue filled: the kernel drops further SYNs, so connecting hangs.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        for (var i = 0; i < 8; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(filler);
            using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                await filler.ConnectAsync(endPoint, quick.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        try
        {
            using var output = new TempFolder();
            var url = new Uri($"http://127.0.0.1:{endPoint.Port}/never.jpg");
            var options = TestSupport.FastOptions(output.Path) with
            {
                ConnectTimeout = TimeSpan.FromMilliseconds(500),
                MaxAttempts = 1,
            };

            var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

            var failure = Assert.Single(report.Failures);
            Assert.Equal(FailureReason.ConnectTimeout, failure.Item.LastReason);
            var attempt = Assert.Single(failure.Attempts);
            Assert.InRange(attempt.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
        }
        finally
        {
            fillers.ForEach(s => s.Dispose());
        }
    }
}
