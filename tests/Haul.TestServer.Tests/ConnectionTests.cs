using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace Haul.TestServer.Tests;

public sealed class ConnectionTests
{
    [Fact]
    public async Task Keep_alive_reuses_the_connection_and_connection_close_is_honoured()
    {
        await using var server = await TestSupport.StartAsync();
        using var client = TestSupport.Client(server);
        foreach (var file in server.Files.Take(4))
        {
            await client.GetByteArrayAsync(file.Path);
        }

        var log = server.Counters.Log;
        Assert.Equal(1, server.Counters.ConnectionsAccepted);
        Assert.Equal([1, 2, 3, 4], log.Select(r => r.RequestOnConnection));
        Assert.All(log, r => Assert.Equal(200, r.Status));
        Assert.Equal(server.Files.Take(4).Sum(f => f.Size), await TestSupport.SettledAsync(() => server.Counters.BodyBytesSent, server.Files.Take(4).Sum(f => f.Size)));

        var closed = await RawHttp.RequestAsync(server, server.Files[0].Path);
        Assert.Equal("close", closed.Header("Connection"));
        Assert.False(closed.TimedOut);
    }

    [Fact]
    public async Task Stale_idle_connection_is_reset()
    {
        await using var server = await TestSupport.StartAsync(new HostileServerOptions { FileCount = 2, StaleAfterIdle = TimeSpan.FromMilliseconds(200) });
        using var socket = await RawHttp.ConnectAsync(server);
        await RawHttp.SendAsync(socket, server.Files[0].Path, "HEAD");
        var buffer = new byte[4096];
        Assert.True(await socket.ReceiveAsync(buffer, SocketFlags.None) > 0);

        // The server starts the idle time when its answer is written, a moment after the client has it; idling five
        // times the limit leaves a busy machine room to be late with that moment.
        await Task.Delay(1000);
        await RawHttp.SendAsync(socket, server.Files[0].Path, "HEAD");
        var second = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(2));

        Assert.True(second.WasReset);
        Assert.Empty(second.Body);
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.StaleReset));
        Assert.Equal(FaultKind.StaleReset, server.Counters.Log[1].Fault);
        Assert.Equal(0, server.Counters.Log[1].Status);
    }

    [Fact]
    public async Task Stale_reset_reaches_a_plain_http_client_on_a_reused_connection()
    {
        await using var server = await TestSupport.StartAsync(new HostileServerOptions { FileCount = 2, StaleAfterIdle = TimeSpan.FromMilliseconds(200) });
        using var client = TestSupport.Client(server);
        await client.GetByteArrayAsync(server.Files[0].Path);
        await Task.Delay(1000);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetByteArrayAsync(server.Files[0].Path));
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.StaleReset));

        // A fresh connection is not stale.
        Assert.NotEmpty(await client.GetByteArrayAsync(server.Files[0].Path));
    }

    [Fact]
    public async Task Ban_resets_requests_and_new_connections_until_it_expires()
    {
        // The server's clock is fake: a slow machine must neither spread the four requests over the one-second window
        // nor let the ban expire before the next client connects.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var server = await TestSupport.StartAsync(new HostileServerOptions
        {
            FileCount = 2,
            Ban = new BanOptions(3, TimeSpan.FromMilliseconds(700)),
            TimeProvider = time,
        });
        var path = server.Files[0].Path;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await RawHttp.RequestAsync(server, path, "HEAD")).Status);
        }

        var tripped = await RawHttp.RequestAsync(server, path, "HEAD");
        Assert.True(tripped.WasReset);

        using var client = TestSupport.Client(server);
        var error = await Record.ExceptionAsync(() => client.GetAsync(path));

        // A reset right after accept can escape SocketsHttpHandler unwrapped: a SocketException (NotConnected) from
        // reading the socket's RemoteEndPoint while it sets the connection up.
        Assert.True(error is HttpRequestException or SocketException, error?.ToString());
        Assert.True(server.Counters.FaultsInjected(FaultKind.BanReset) >= 2);

        time.Advance(TimeSpan.FromMilliseconds(700));
        Assert.Equal(200, (await RawHttp.RequestAsync(server, path, "HEAD")).Status);
    }

    [Fact]
    public async Task Oversized_headers_get_431()
    {
        await using var server = await TestSupport.StartAsync();
        var response = await RawHttp.RequestAsync(server, server.Files[0].Path, headers: "X-Big: " + new string('a', 17_000));
        Assert.Equal(431, response.Status);
    }

    [Fact]
    public async Task Malformed_request_gets_400_and_other_methods_405()
    {
        await using var server = await TestSupport.StartAsync();
        using (var socket = await RawHttp.ConnectAsync(server))
        {
            await socket.SendAsync("NONSENSE\r\n\r\n"u8.ToArray(), SocketFlags.None);
            Assert.Equal(400, (await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(2))).Status);
        }

        Assert.Equal(405, (await RawHttp.RequestAsync(server, server.Files[0].Path, "DELETE")).Status);
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using var server = await TestSupport.StartAsync();
        using var socket = await RawHttp.ConnectAsync(server);
        var text = $"HEAD {server.Files[0].Path} HTTP/1.1\r\nHost: x\r\n\r\nHEAD /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(text), SocketFlags.None);
        var response = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(2));
        Assert.Equal(200, response.Status);
        Assert.Contains("404", System.Text.Encoding.ASCII.GetString(response.Body), StringComparison.Ordinal);
        Assert.Equal(2, server.Counters.Requests);
        Assert.Equal(HttpStatusCode.NotFound, (HttpStatusCode)server.Counters.Log[1].Status);
    }
}
