using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Haul.TestServer.Proxies;

/// <summary>
/// A SOCKS5 proxy (RFC 1928) on 127.0.0.1 for tests: no authentication, or a user name and password (RFC 1929) when
/// started with credentials; CONNECT to an IPv4 address, an IPv6 address or a domain name (resolved here). It records
/// every CONNECT (<see cref="Requests"/>: the address type and name it got) and counts connections and tunnels.
/// </summary>
public sealed class TestSocks5Proxy : IAsyncDisposable
{
    private readonly ProxyListener _listener;
    private readonly string? _user;
    private readonly string? _password;
    private readonly ConcurrentQueue<SocksRequest> _requests = new();
    private int _connections;
    private int _tunnels;
    private int _authFailures;

    private TestSocks5Proxy(string? user, string? password)
    {
        _user = user;
        _password = password;
        _listener = new ProxyListener(HandleAsync);
    }

    /// <summary>The bound port on 127.0.0.1.</summary>
    public int Port => _listener.Port;

    /// <summary>The proxy's URL with <paramref name="scheme"/> (<c>socks5</c> or <c>socks5h</c>) and optional credentials.</summary>
    public string Url(string scheme = "socks5h", string? user = null, string? password = null) =>
        $"{scheme}://{(user is null ? string.Empty : Uri.EscapeDataString(user) + ":" + Uri.EscapeDataString(password ?? string.Empty) + "@")}127.0.0.1:{Port}";

    /// <summary>Connections accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>CONNECTs that reached their target.</summary>
    public int Tunnels => Volatile.Read(ref _tunnels);

    /// <summary>Refused user names and passwords.</summary>
    public int AuthFailures => Volatile.Read(ref _authFailures);

    /// <summary>Every CONNECT received, in order.</summary>
    public IReadOnlyList<SocksRequest> Requests => [.. _requests];

    /// <summary>Starts a proxy; with <paramref name="user"/> it requires that user name and <paramref name="password"/>.</summary>
    public static Task<TestSocks5Proxy> StartAsync(string? user = null, string? password = null) =>
        Task.FromResult(new TestSocks5Proxy(user, password));

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    private async Task HandleAsync(Socket socket, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connections);
        await using var client = new NetworkStream(socket, ownsSocket: false);
        var buffer = new byte[512];
        await client.ReadExactlyAsync(buffer.AsMemory(0, 2), cancellationToken);
        if (buffer[0] != 5)
        {
            return;
        }

        var methods = buffer.AsMemory(0, buffer[1]);
        await client.ReadExactlyAsync(methods, cancellationToken);
        var wanted = _user is null ? (byte)0 : (byte)2;
        if (!methods.Span.Contains(wanted))
        {
            await client.WriteAsync(new byte[] { 5, 0xFF }, cancellationToken);
            return;
        }

        await client.WriteAsync(new byte[] { 5, wanted }, cancellationToken);
        if (wanted == 2 && !await AuthenticateAsync(client, buffer, cancellationToken))
        {
            return;
        }

        await client.ReadExactlyAsync(buffer.AsMemory(0, 4), cancellationToken);
        var command = buffer[1];
        var addressType = buffer[3];
        string host;
        switch (addressType)
        {
            case 1:
                await client.ReadExactlyAsync(buffer.AsMemory(0, 4), cancellationToken);
                host = new IPAddress(buffer.AsSpan(0, 4)).ToString();
                break;
            case 4:
                await client.ReadExactlyAsync(buffer.AsMemory(0, 16), cancellationToken);
                host = new IPAddress(buffer.AsSpan(0, 16)).ToString();
                break;
            case 3:
                await client.ReadExactlyAsync(buffer.AsMemory(0, 1), cancellationToken);
                var length = buffer[0];
                await client.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
                host = Encoding.ASCII.GetString(buffer, 0, length);
                break;
            default:
                await ReplyAsync(client, 8, cancellationToken);
                return;
        }

        await client.ReadExactlyAsync(buffer.AsMemory(0, 2), cancellationToken);
        var port = (buffer[0] << 8) | buffer[1];
        _requests.Enqueue(new SocksRequest(addressType, host, port));
        if (command != 1)
        {
            await ReplyAsync(client, 7, cancellationToken);
            return;
        }

        using var target = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await target.ConnectAsync(new DnsEndPoint(host, port), cancellationToken);
        }
        catch (SocketException exception)
        {
            await ReplyAsync(client, exception.SocketErrorCode == SocketError.ConnectionRefused ? (byte)5 : (byte)4, cancellationToken);
            return;
        }

        await ReplyAsync(client, 0, cancellationToken);
        Interlocked.Increment(ref _tunnels);
        await using var targetStream = new NetworkStream(target, ownsSocket: false);
        await ProxyPump.RunAsync(client, targetStream, cancellationToken);
    }

    private async Task<bool> AuthenticateAsync(NetworkStream client, byte[] buffer, CancellationToken cancellationToken)
    {
        await client.ReadExactlyAsync(buffer.AsMemory(0, 2), cancellationToken);
        var userLength = buffer[1];
        await client.ReadExactlyAsync(buffer.AsMemory(0, userLength + 1), cancellationToken);
        var user = Encoding.UTF8.GetString(buffer, 0, userLength);
        var passwordLength = buffer[userLength];
        await client.ReadExactlyAsync(buffer.AsMemory(0, passwordLength), cancellationToken);
        var password = Encoding.UTF8.GetString(buffer, 0, passwordLength);
        var ok = user == _user && password == _password;
        if (!ok)
        {
            Interlocked.Increment(ref _authFailures);
        }

        await client.WriteAsync(new byte[] { 1, ok ? (byte)0 : (byte)1 }, cancellationToken);
        return ok;
    }

    private static async Task ReplyAsync(NetworkStream client, byte reply, CancellationToken cancellationToken) =>
        await client.WriteAsync(new byte[] { 5, reply, 0, 1, 0, 0, 0, 0, 0, 0 }, cancellationToken);
}
