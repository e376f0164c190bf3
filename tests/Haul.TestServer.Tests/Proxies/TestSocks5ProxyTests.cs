using System.Net;
using System.Net.Sockets;
using System.Text;
using Haul.TestServer.Proxies;

namespace Haul.TestServer.Tests.Proxies;

/// <summary>The SOCKS5 test proxy (RFC 1928, RFC 1929), driven byte by byte over raw sockets.</summary>
public sealed class TestSocks5ProxyTests
{
    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var done = 0;
        while (done < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(done), SocketFlags.None);
            Assert.True(read > 0, "the proxy closed the connection");
            done += read;
        }

        return buffer;
    }

    private static byte[] ConnectByName(string name, int port) =>
        [5, 1, 0, 3, (byte)name.Length, .. Encoding.ASCII.GetBytes(name), (byte)(port >> 8), (byte)port];

    private static byte[] Auth(string user, string password) =>
        [1, (byte)user.Length, .. Encoding.ASCII.GetBytes(user), (byte)password.Length, .. Encoding.ASCII.GetBytes(password)];

    [Fact]
    public async Task NoAuth_ConnectByDomainName_RecordsTheName_AndTunnels()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1 });
        await using var proxy = await TestSocks5Proxy.StartAsync();
        using var socket = await ConnectAsync(proxy.Port);

        await socket.SendAsync(new byte[] { 5, 1, 0 }, SocketFlags.None);
        Assert.Equal(new byte[] { 5, 0 }, await ReceiveAsync(socket, 2));
        await socket.SendAsync(ConnectByName("localhost", server.Port), SocketFlags.None);
        var reply = await ReceiveAsync(socket, 10);
        await RawHttp.SendAsync(socket, server.Files[0].Path, "GET", "Connection: close");
        var response = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(5));

        Assert.Equal(0, reply[1]);
        Assert.Equal(200, response.Status);
        Assert.Equal(new SocksRequest(SocksRequest.DomainName, "localhost", server.Port), Assert.Single(proxy.Requests));
        Assert.Equal(1, proxy.Tunnels);
    }

    [Fact]
    public async Task ConnectByIPv4_RecordsTheAddress()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1 });
        await using var proxy = await TestSocks5Proxy.StartAsync();
        using var socket = await ConnectAsync(proxy.Port);

        await socket.SendAsync(new byte[] { 5, 1, 0 }, SocketFlags.None);
        await ReceiveAsync(socket, 2);
        await socket.SendAsync(new byte[] { 5, 1, 0, 1, 127, 0, 0, 1, (byte)(server.Port >> 8), (byte)server.Port }, SocketFlags.None);
        var reply = await ReceiveAsync(socket, 10);

        Assert.Equal(0, reply[1]);
        Assert.Equal(new SocksRequest(SocksRequest.IPv4, "127.0.0.1", server.Port), Assert.Single(proxy.Requests));
    }

    [Fact]
    public async Task UserPassword_RightOnesTunnel_WrongOnesAreRefused_AndNoAuthIsNotAccepted()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1 });
        await using var proxy = await TestSocks5Proxy.StartAsync("user", "pw");

        using (var noAuth = await ConnectAsync(proxy.Port))
        {
            await noAuth.SendAsync(new byte[] { 5, 1, 0 }, SocketFlags.None);
            Assert.Equal(new byte[] { 5, 0xFF }, await ReceiveAsync(noAuth, 2));
        }

        using (var wrong = await ConnectAsync(proxy.Port))
        {
            await wrong.SendAsync(new byte[] { 5, 2, 0, 2 }, SocketFlags.None);
            Assert.Equal(new byte[] { 5, 2 }, await ReceiveAsync(wrong, 2));
            await wrong.SendAsync(Auth("user", "bad"), SocketFlags.None);
            Assert.Equal(new byte[] { 1, 1 }, await ReceiveAsync(wrong, 2));
        }

        using var right = await ConnectAsync(proxy.Port);
        await right.SendAsync(new byte[] { 5, 1, 2 }, SocketFlags.None);
        Assert.Equal(new byte[] { 5, 2 }, await ReceiveAsync(right, 2));
        await right.SendAsync(Auth("user", "pw"), SocketFlags.None);
        Assert.Equal(new byte[] { 1, 0 }, await ReceiveAsync(right, 2));
        await right.SendAsync(ConnectByName("127.0.0.1", server.Port), SocketFlags.None);
        var reply = await ReceiveAsync(right, 10);

        Assert.Equal(0, reply[1]);
        Assert.Equal(1, proxy.AuthFailures);
        Assert.Equal(1, proxy.Tunnels);
    }

    [Fact]
    public async Task ConnectToAClosedPort_RepliesConnectionRefused()
    {
        await using var proxy = await TestSocks5Proxy.StartAsync();
        int closed;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closed = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        using var socket = await ConnectAsync(proxy.Port);
        await socket.SendAsync(new byte[] { 5, 1, 0 }, SocketFlags.None);
        await ReceiveAsync(socket, 2);
        await socket.SendAsync(new byte[] { 5, 1, 0, 1, 127, 0, 0, 1, (byte)(closed >> 8), (byte)closed }, SocketFlags.None);
        var reply = await ReceiveAsync(socket, 10);

        Assert.Equal(5, reply[1]);
        Assert.Equal(0, proxy.Tunnels);
    }
}
