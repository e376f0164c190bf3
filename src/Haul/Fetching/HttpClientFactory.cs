using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Haul.Engine;
using Haul.Proxies;

namespace Haul.Fetching;

/// <summary>
/// The one place that creates Haul's <see cref="HttpClient"/>s, with every handler setting chosen on purpose.
/// </summary>
/// <remarks>
/// Two clients share the settings. The pooled one reuses keep-alive connections for speed. The fresh one never
/// reuses a connection (<see cref="SocketsHttpHandler.PooledConnectionLifetime"/> zero): a request that was reset on
/// a reused connection before any response byte is sent again through it, so the retry cannot meet the same race.
/// It speaks HTTP/1.1 even where the pooled one speaks HTTP/2, because only there does a lifetime of zero mean a new
/// connection for every request.
/// </remarks>
internal static class HttpClientFactory
{
    /// <summary>
    /// The pooled client; <paramref name="certificates"/> is shared by clients that go together, else read from the
    /// options. With <paramref name="proxy"/> every request goes through that proxy; without, every request goes direct.
    /// </summary>
    public static HttpClient CreatePooled(HaulOptions options, CertificateValidator? certificates = null, ProxyEndpoint? proxy = null) =>
        Create(options, certificates ?? CertificateValidator.Create(options), reuseConnections: true, proxy);

    /// <summary>The client that never reuses a connection (with a proxy, never reuses a connection to the proxy).</summary>
    public static HttpClient CreateFresh(HaulOptions options, CertificateValidator? certificates = null, ProxyEndpoint? proxy = null) =>
        Create(options, certificates ?? CertificateValidator.Create(options), reuseConnections: false, proxy);

    /// <summary>Haul's client over <paramref name="handler"/>, which it owns: no timeout of its own.</summary>
    public static HttpClient Wrap(HttpMessageHandler handler) => new(handler, disposeHandler: true)
    {
        // Haul's own deadlines (connect, headers, stall, item) own the timing.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private static HttpClient Create(HaulOptions options, CertificateValidator certificates, bool reuseConnections, ProxyEndpoint? proxy) =>
        Wrap(CreateHandler(options, certificates, reuseConnections, proxy));

    /// <summary>The handler of a pooled or fresh client (see <see cref="CreatePooled"/>), for a caller that sends through it itself.</summary>
    [SuppressMessage("Security", "CA5359", Justification = "The callback rejects a certificate by throwing, to say why; it returns true only for an accepted one (or with HaulOptions.Insecure).")]
    public static HttpMessageHandler CreateHandler(HaulOptions options, CertificateValidator certificates, bool reuseConnections, ProxyEndpoint? proxy)
    {
        // An HTTP(S) proxy is the handler's: the connect callback then connects to the proxy, and the handler speaks
        // to it (absolute-form requests for http, CONNECT for https, Basic credentials after a 407). SOCKS5 is Haul's
        // own, in the connect callback, so that socks5 and socks5h resolve names where each should.
        var httpProxy = proxy is { IsSocks: false } ? proxy : null;
        var handler = new SocketsHttpHandler
        {
            // Haul follows redirects itself, to detect loops and to keep the final URL.
            AllowAutoRedirect = false,

            // Files are saved byte for byte: decompression would drop Content-Length and change what is verified.
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = httpProxy is not null,
            Proxy = httpProxy is null ? null : new FixedProxy(httpProxy),
            PooledConnectionIdleTimeout = options.PooledConnectionIdleTimeout,
            PooledConnectionLifetime = reuseConnections ? HaulDefaults.PooledConnectionLifetime : TimeSpan.Zero,

            // Plain http through an HTTP proxy is one pool, the proxy's, for every host: the scheduler's limits hold.
            MaxConnectionsPerServer = httpProxy is null ? options.MaxConcurrencyPerHost : options.MaxConcurrency,
            ConnectTimeout = Timeout.InfiniteTimeSpan,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context, options.ConnectTimeout, proxy, cancellationToken),
            ResponseDrainTimeout = TimeSpan.FromSeconds(1),

            // Over TLS a request asks for HTTP/2 (RequestFactory): one connection carries many downloads as streams,
            // and a host that allows few streams a connection gets more connections rather than a queue. Per-host
            // concurrency is the scheduler's, counted in requests, whatever the protocol.
            EnableMultipleHttp2Connections = true,
            SslOptions = new SslClientAuthenticationOptions
            {
                // HTTP/2 where the server's ALPN agrees, else HTTP/1.1. (The handler narrows this to http/1.1 for a
                // request that does not ask for HTTP/2, such as plain http, where Haul never tries h2c.)
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],

                // The system's trust store plus HaulOptions.TrustedCertificateFiles, or nothing with Insecure; a
                // rejection throws with the reason, which the failure classifier reads.
                RemoteCertificateValidationCallback = certificates.Validate,
            },
        };

        // Under HTTP/2 a connection lifetime of zero does not stop a connection's reuse, so the fresh client speaks
        // HTTP/1.1: each of its requests gets a new connection whatever the server offers.
        return reuseConnections ? handler : new Http11Only(handler);
    }

    /// <summary>Sends every request as HTTP/1.1 (ALPN <c>http/1.1</c> only), whatever version it asked for.</summary>
    private sealed class Http11Only(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Version = HttpVersion.Version11;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// Connects within <paramref name="connectTimeout"/>. Through a proxy the socket goes to the proxy (the handler
    /// names the proxy in <paramref name="context"/> for an HTTP proxy; for SOCKS5 it names the target, reached by the
    /// handshake, which the deadline covers too), and a proxy that cannot be reached in time, refuses or resets is the
    /// proxy's failure (<see cref="ProxyFailureException"/>), never the target's.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(
        SocketsHttpConnectionContext context, TimeSpan connectTimeout, ProxyEndpoint? proxy, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(connectTimeout);
        var endPoint = proxy is { IsSocks: true } ? new DnsEndPoint(proxy.Host, proxy.Port) : context.DnsEndPoint;
        try
        {
            try
            {
                await socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);
            }
            catch (SocketException exception) when (proxy is not null && exception.SocketErrorCode != SocketError.OperationAborted)
            {
                throw new ProxyFailureException(proxy, DescribeConnectFailure(exception.SocketErrorCode), inner: exception);
            }

            var stream = new NetworkStream(socket, ownsSocket: true);
            if (proxy is { IsSocks: true })
            {
                try
                {
                    await Socks5Handshake.ConnectAsync(stream, proxy, context.DnsEndPoint.Host, context.DnsEndPoint.Port, deadline.Token).ConfigureAwait(false);
                }
                catch (IOException exception) when (exception is not ProxyFailureException)
                {
                    throw new ProxyFailureException(proxy, "the connection broke during the SOCKS5 handshake", inner: exception);
                }
            }

            return stream;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            if (proxy is not null)
            {
                throw new ProxyFailureException(proxy, $"no connection through the proxy within {connectTimeout.TotalSeconds:0.#} s");
            }

            throw new ConnectTimeoutException($"No connection to {context.DnsEndPoint.Host}:{context.DnsEndPoint.Port} within {connectTimeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string DescribeConnectFailure(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset or SocketError.ConnectionAborted => "connection reset",
        SocketError.TimedOut => "connection timed out",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the proxy's name does not resolve",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
        _ => "cannot connect (" + error + ")",
    };
}
