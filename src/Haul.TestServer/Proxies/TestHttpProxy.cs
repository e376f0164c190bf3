using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Haul.TestServer.Proxies;

/// <summary>
/// An HTTP proxy on 127.0.0.1 for tests: absolute-form requests (<c>GET http://host:port/path</c>) are forwarded to
/// their host on a new connection with <c>Connection: close</c>; <c>CONNECT host:port</c> opens a tunnel (for https).
/// Started with credentials it requires <c>Proxy-Authorization: Basic</c> and answers 407 with a Basic challenge
/// without them; started with TLS it is an HTTPS proxy (TLS to the proxy, with a certificate from its own CA). It
/// counts connections, forwarded requests, tunnels and 407s, and keeps the hosts it was asked for.
/// </summary>
public sealed class TestHttpProxy : IAsyncDisposable
{
    private readonly ProxyListener _listener;
    private readonly string? _expectedAuthorization;
    private readonly ServerCertificates? _certificates;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _targets = new();
    private int _connections;
    private int _forwarded;
    private int _tunnels;
    private int _challenges;

    private TestHttpProxy(string? user, string? password, bool tls)
    {
        _expectedAuthorization = user is null ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));
        _certificates = tls ? ServerCertificates.Create(ServerCertificateKind.IssuedByCa) : null;
        _listener = new ProxyListener(HandleAsync);
    }

    /// <summary>The bound port on 127.0.0.1.</summary>
    public int Port => _listener.Port;

    /// <summary>With TLS, the PEM of the CA a client must trust to accept the proxy's certificate; else null.</summary>
    public string? CaCertificatePem => _certificates?.TrustPem;

    /// <summary>Connections accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Absolute-form requests forwarded (http targets).</summary>
    public int Forwarded => Volatile.Read(ref _forwarded);

    /// <summary>CONNECT tunnels opened (https targets).</summary>
    public int Tunnels => Volatile.Read(ref _tunnels);

    /// <summary>407 answers: requests without the right credentials.</summary>
    public int Challenges => Volatile.Read(ref _challenges);

    /// <summary>The <c>host:port</c> of every request forwarded or tunnelled, in order.</summary>
    public IReadOnlyList<string> Targets => [.. _targets];

    /// <summary>The proxy's URL, with optional credentials in it.</summary>
    public string Url(string? user = null, string? password = null) =>
        $"{(_certificates is null ? "http" : "https")}://{(user is null ? string.Empty : Uri.EscapeDataString(user) + ":" + Uri.EscapeDataString(password ?? string.Empty) + "@")}127.0.0.1:{Port}";

    /// <summary>Starts a proxy; with <paramref name="user"/> it requires those credentials; with <paramref name="tls"/> it speaks TLS.</summary>
    public static Task<TestHttpProxy> StartAsync(string? user = null, string? password = null, bool tls = false) =>
        Task.FromResult(new TestHttpProxy(user, password, tls));

    /// <summary>Writes <see cref="CaCertificatePem"/> to a file for the client to trust.</summary>
    public async Task WriteCaCertificateAsync(string path) =>
        await File.WriteAllTextAsync(path, CaCertificatePem ?? throw new InvalidOperationException("The proxy has no TLS."));

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        _certificates?.Dispose();
    }

    private async Task HandleAsync(Socket socket, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connections);
        Stream client = new NetworkStream(socket, ownsSocket: false);
        if (_certificates is not null)
        {
            var tls = new SslStream(client, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = _certificates.Context,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                },
                cancellationToken);
            client = tls;
        }

        await using (client)
        {
            while (await ReadHeadAsync(client, cancellationToken) is { } head)
            {
                var lines = head.Split("\r\n");
                var parts = lines[0].Split(' ');
                if (parts.Length != 3)
                {
                    await WriteAsync(client, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken);
                    return;
                }

                var headers = lines.Skip(1).Where(l => l.Length > 0).ToList();
                if (_expectedAuthorization is not null && !headers.Any(h => IsHeader(h, "Proxy-Authorization") && HeaderValue(h) == _expectedAuthorization))
                {
                    Interlocked.Increment(ref _challenges);
                    await WriteAsync(client, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"haul-test\"\r\nContent-Length: 0\r\n\r\n", cancellationToken);
                    continue;
                }

                if (parts[0] == "CONNECT")
                {
                    await TunnelAsync(client, parts[1], cancellationToken);
                    return;
                }

                await ForwardAsync(client, parts[0], new Uri(parts[1]), headers, cancellationToken);
                return;
            }
        }
    }

    private async Task TunnelAsync(Stream client, string authority, CancellationToken cancellationToken)
    {
        var colon = authority.LastIndexOf(':');
        var host = authority[..colon].Trim('[', ']');
        var port = int.Parse(authority[(colon + 1)..], CultureInfo.InvariantCulture);
        using var target = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await target.ConnectAsync(new DnsEndPoint(host, port), cancellationToken);
        }
        catch (SocketException)
        {
            await WriteAsync(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken);
            return;
        }

        _targets.Enqueue(authority);
        Interlocked.Increment(ref _tunnels);
        await WriteAsync(client, "HTTP/1.1 200 Connection established\r\n\r\n", cancellationToken);
        await using var targetStream = new NetworkStream(target, ownsSocket: false);
        await ProxyPump.RunAsync(client, targetStream, cancellationToken);
    }

    private async Task ForwardAsync(Stream client, string method, Uri url, List<string> headers, CancellationToken cancellationToken)
    {
        using var target = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await target.ConnectAsync(new DnsEndPoint(url.Host, url.Port), cancellationToken);
        }
        catch (SocketException)
        {
            await WriteAsync(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken);
            return;
        }

        _targets.Enqueue(url.Authority);
        Interlocked.Increment(ref _forwarded);
        var request = new StringBuilder();
        request.Append(method).Append(' ').Append(url.PathAndQuery).Append(" HTTP/1.1\r\n");
        foreach (var header in headers)
        {
            if (!IsHeader(header, "Proxy-Authorization") && !IsHeader(header, "Proxy-Connection") && !IsHeader(header, "Connection"))
            {
                request.Append(header).Append("\r\n");
            }
        }

        request.Append("Connection: close\r\n\r\n");
        await using var targetStream = new NetworkStream(target, ownsSocket: false);
        await WriteAsync(targetStream, request.ToString(), cancellationToken);

        // The response goes back as it comes, until the host closes: this connection ends with it.
        await targetStream.CopyToAsync(client, cancellationToken);
    }

    private static bool IsHeader(string line, string name) =>
        line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.OrdinalIgnoreCase);

    private static string HeaderValue(string line) => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();

    private static async Task WriteAsync(Stream stream, string text, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads a request head byte by byte (so nothing after it is consumed), or null at the end of the stream.</summary>
    private static async Task<string?> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>(512);
        var one = new byte[1];
        while (bytes.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            bytes.Add(one[0]);
            var n = bytes.Count;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n')
            {
                return Encoding.ASCII.GetString([.. bytes], 0, n - 4);
            }
        }

        return null;
    }
}
