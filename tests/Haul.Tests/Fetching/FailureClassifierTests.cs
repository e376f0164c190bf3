using System.Net;
using System.Net.Sockets;
using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;

namespace Haul.Tests.Fetching;

[Collection(NetworkTests.Name)]
public sealed class FailureClassifierTests
{
    private static HttpClient PlainClient() => new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task ConnectToJustClosedPort_ClassifiedConnectionRefused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = PlainClient();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/x.jpg")));

        Assert.Equal(FailureReason.ConnectionRefused, FailureClassifier.ClassifySend(error).Reason);
    }

    [Fact]
    public async Task ConnectToJustClosedPortThroughHaulsClient_ClassifiedConnectionRefused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = HttpClientFactory.CreatePooled(new HaulOptions());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/x.jpg")));

        Assert.Equal(FailureReason.ConnectionRefused, FailureClassifier.ClassifySend(error).Reason);
    }

    [Fact]
    public async Task ResetOnReusedIdleConnection_ClassifiedConnectionReset()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 2,
            MinFileSize = 1000,
            MaxFileSize = 2000,
            StaleAfterIdle = TimeSpan.FromMilliseconds(20),
        });
        using var client = PlainClient();
        await client.GetByteArrayAsync(TestSupport.Url(server, server.Files[0].Path));

        // The server starts the idle time when its answer is written, a moment after the client has it: idling far
        // past the limit leaves a busy machine room to be late with that moment.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(TestSupport.Url(server, server.Files[1].Path)));

        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.StaleReset));
        Assert.Equal(FailureReason.ConnectionReset, FailureClassifier.ClassifySend(error).Reason);
    }

    [Theory]
    [InlineData(FaultKind.ResetMidBody, FailureReason.ConnectionReset)]
    [InlineData(FaultKind.Truncate, FailureReason.Truncated)]
    public async Task BodyReadFault_ClassifiedFromTheException(FaultKind fault, FailureReason expected)
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1, MinFileSize = 500_000, MaxFileSize = 500_000 });
        server.Script(server.Files[0].Path, fault);
        using var client = PlainClient();
        using var response = await client.GetAsync(TestSupport.Url(server, server.Files[0].Path), HttpCompletionOption.ResponseHeadersRead);
        using var body = await response.Content.ReadAsStreamAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => body.CopyToAsync(Stream.Null));

        Assert.Equal(expected, FailureClassifier.ClassifyBody(error).Reason);
    }

    [Theory]
    [InlineData(28, FailureReason.DiskFull)]
    [InlineData(unchecked((int)0x80070070), FailureReason.DiskFull)]
    [InlineData(unchecked((int)0x80070027), FailureReason.DiskFull)]
    [InlineData(13, FailureReason.WriteError)]
    public void ClassifyWrite_IoErrorCodes(int hresult, FailureReason expected) =>
        Assert.Equal(expected, FailureClassifier.ClassifyWrite(new IOException("write failed", hresult)).Reason);

    [Fact]
    public void ClassifyWrite_AccessDenied_WriteErrorWithTheOsReason() =>
        Assert.Equal(new ClassifiedFailure(FailureReason.WriteError, "Permission denied"), FailureClassifier.ClassifyWrite(new UnauthorizedAccessException()));

    [Fact]
    public void ClassifySend_ConnectTimeoutAnywhereInChain_ConnectTimeout() =>
        Assert.Equal(
            FailureReason.ConnectTimeout,
            FailureClassifier.ClassifySend(new HttpRequestException(HttpRequestError.ConnectionError, "connect", new ConnectTimeoutException())).Reason);
}
