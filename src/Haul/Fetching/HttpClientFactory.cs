using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Haul.Engine;

namespace Haul.Fetching;

/// <summary>
/// The one place that creates Haul's <see cref="HttpClient"/>s, with every handler setting chosen on purpose.
/// </summary>
/// <remarks>
/// Two clients share the settings. The pooled one reuses keep-alive connections for speed. The fresh one never
/// reuses a connection (<see cref="SocketsHttpHandler.PooledConnectionLifetime"/> zero): a request that was reset on
/// a reused connection before any response byte is sent again through it, so the retry cannot meet the same race.
/// </remarks>
internal static class HttpClientFactory
{
    /// <summary>The pooled client; <paramref name="certificates"/> is shared by clients that go together, else read from the options.</summary>
    public static HttpClient CreatePooled(HaulOptions options, CertificateValidator? certificates = null) =>
        Create(options, certificates ?? CertificateValidator.Create(options), reuseConnections: true);

    /// <summary>The client that never reuses a connection.</summary>
    public static HttpClient CreateFresh(HaulOptions options, CertificateValidator? certificates = null) =>
        Create(options, certificates ?? CertificateValidator.Create(options), reuseConnections: false);

    [SuppressMessage("Security", "CA5359", Justification = "The callback rejects a certificate by throwing, to say why; it returns true only for an accepted one (or with HaulOptions.Insecure).")]
    private static HttpClient Create(HaulOptions options, CertificateValidator certificates, bool reuseConnections)
    {
        var handler = new SocketsHttpHandler
        {
            // Haul follows redirects itself, to detect loops and to keep the final URL.
            AllowAutoRedirect = false,

            // Files are saved byte for byte: decompression would drop Content-Length and change what is verified.
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionIdleTimeout = options.PooledConnectionIdleTimeout,
            PooledConnectionLifetime = reuseConnections ? HaulDefaults.PooledConnectionLifetime : TimeSpan.Zero,
            MaxConnectionsPerServer = options.MaxConcurrencyPerHost,
            ConnectTimeout = Timeout.InfiniteTimeSpan,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context, options.ConnectTimeout, cancellationToken),
            ResponseDrainTimeout = TimeSpan.FromSeconds(1),
            SslOptions = new SslClientAuthenticationOptions
            {
                // Haul speaks HTTP/1.1 only for now, so that is all it offers.
                ApplicationProtocols = [SslApplicationProtocol.Http11],

                // The system's trust store plus HaulOptions.TrustedCertificateFiles, or nothing with Insecure; a
                // rejection throws with the reason, which the failure classifier reads.
                RemoteCertificateValidationCallback = certificates.Validate,
            },
        };

        return new HttpClient(handler, disposeHandler: true)
        {
            // Haul's own deadlines (connect, headers, stall, item) own the timing.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    private static async ValueTask<Stream> ConnectAsync(
        SocketsHttpConnectionContext context, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, deadline.Token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ConnectTimeoutException($"No connection to {context.DnsEndPoint.Host}:{context.DnsEndPoint.Port} within {connectTimeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
