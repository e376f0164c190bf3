using System.Net;
using System.Net.Sockets;
using System.Text;
using Haul.TestServer.Proxies;

namespace Haul.TestServer.Tests.Proxies;

/// <summary>The HTTP test proxy, driven byte by byte over raw sockets.</summary>
public sealed class TestHttpProxyTests
{
    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static Task SendAsync(Socket socket, string text) => socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);

    [Fact]
    public async Task AbsoluteFormGet_IsForwardedInOriginForm_WithoutProxyHeaders()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1 });
        await using var proxy = await TestHttpProxy.StartAsync();
        var file = server.Files[0];
        using var socket = await ConnectAsync(proxy.Port);

        await SendAsync(socket, $"GET {new Uri(server.BaseUri, file.Path)} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nProxy-Connection: keep-alive\r\n\r\n");
        var response = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(5));

        Assert.Equal(200, response.Status);
        Assert.Equal(file.Size, response.Body.Length);
        Assert.Equal(1, proxy.Forwarded);
        Assert.Equal($"127.0.0.1:{server.Port}", Assert.Single(proxy.Targets));
        var seen = Assert.Single(server.Counters.Log);
        Assert.Equal(file.Path, seen.Path);
        Assert.Null(seen.Header("Proxy-Connection"));
    }

    [Fact]
    public async Task Connect_OpensATunnel_ThatCarriesAnyBytes()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1 });
        await using var proxy = await TestHttpProxy.StartAsync();
        using var socket = await ConnectAsync(proxy.Port);

        await SendAsync(socket, $"CONNECT 127.0.0.1:{server.Port} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\n\r\n");
        var buffer = new byte[39];
        await socket.ReceiveAsync(buffer, SocketFlags.None);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer), StringComparison.Ordinal);
        await SendAsync(socket, $"GET {server.Files[0].Path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        var response = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(5));

        Assert.Equal(200, response.Status);
        Assert.Equal(1, proxy.Tunnels);
        Assert.Equal(1, server.Counters.Requests);
    }

    [Fact]
    public async Task WithCredentials_AnswersA407Challenge_UntilTheRightBasicCredentialsCome()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 1 });
        await using var proxy = await TestHttpProxy.StartAsync("u", "p");
        var url = new Uri(server.BaseUri, server.Files[0].Path);
        using var socket = await ConnectAsync(proxy.Port);

        await SendAsync(socket, $"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n");
        var buffer = new byte[4096];
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None);
        var challenge = Encoding.ASCII.GetString(buffer, 0, read);
        var wrong = Convert.ToBase64String(Encoding.ASCII.GetBytes("u:wrong"));
        await SendAsync(socket, $"GET {url} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic {wrong}\r\n\r\n");
        read = await socket.ReceiveAsync(buffer, SocketFlags.None);
        var refused = Encoding.ASCII.GetString(buffer, 0, read);
        var right = Convert.ToBase64String(Encoding.ASCII.GetBytes("u:p"));
        await SendAsync(socket, $"GET {url} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic {right}\r\n\r\n");
        var response = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(5));

        Assert.StartsWith("HTTP/1.1 407", challenge, StringComparison.Ordinal);
        Assert.Contains("Proxy-Authenticate: Basic", challenge, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 407", refused, StringComparison.Ordinal);
        Assert.Equal(200, response.Status);
        Assert.Equal(2, proxy.Challenges);
        Assert.Null(Assert.Single(server.Counters.Log).Header("Proxy-Authorization"));
    }

    [Fact]
    public async Task ConnectToAClosedPort_Answers502()
    {
        await using var proxy = await TestHttpProxy.StartAsync();
        int closed;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closed = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        using var socket = await ConnectAsync(proxy.Port);
        await SendAsync(socket, $"CONNECT 127.0.0.1:{closed} HTTP/1.1\r\nHost: 127.0.0.1:{closed}\r\n\r\n");
        var response = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(5));

        Assert.Equal(502, response.Status);
        Assert.Equal(0, proxy.Tunnels);
    }
}
