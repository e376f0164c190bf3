using System.Net;
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
    public static HttpClient CreatePooled(HaulOptions options) => Create(options, reuseConnections: true);

    public static HttpClient CreateFresh(HaulOptions options) => Create(options, reuseConnections: false);

    private static HttpClient Create(HaulOptions options, bool reuseConnections)
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
