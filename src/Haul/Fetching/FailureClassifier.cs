using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using Haul.Proxies;
using Haul.Writing;

namespace Haul.Fetching;

/// <summary>
/// Turns the exceptions of the HTTP stack and the file system into a <see cref="FailureReason"/>.
/// Classification uses types and enums only (HttpRequestError, SocketError), never message text.
/// </summary>
internal static class FailureClassifier
{
    /// <summary>
    /// Classifies an exception thrown while sending the request or reading the response headers. TLS failures come
    /// with a detail: why the certificate was rejected, or that the handshake broke.
    /// </summary>
    public static ClassifiedFailure ClassifySend(Exception exception)
    {
        if (Find<ProxyFailureException>(exception) is { } proxy)
        {
            return new(FailureReason.ProxyFailed, proxy.Detail) { ProxyAuthentication = proxy.Authentication };
        }

        if (Find<ConnectTimeoutException>(exception) is not null)
        {
            return new(FailureReason.ConnectTimeout);
        }

        if (exception is HttpRequestException http)
        {
            switch (http.HttpRequestError)
            {
                case HttpRequestError.NameResolutionError:
                    return new(FailureReason.NameResolution);
                case HttpRequestError.SecureConnectionError:
                    return ClassifyHandshake(exception);
                case HttpRequestError.HttpProtocolError:
                case HttpRequestError.InvalidResponse:
                case HttpRequestError.ConfigurationLimitExceeded:
                    return new(FailureReason.ProtocolError);
                case HttpRequestError.ResponseEnded:
                    // The server closed the connection before a whole response: on a request without a body that
                    // is the same race as a reset, seen from the FIN side.
                    return new(FailureReason.ConnectionReset);
                case HttpRequestError.ConnectionError:
                    return new(ClassifySocket(exception, FailureReason.NetworkError));
                case HttpRequestError.ProxyTunnelError:
                    return ClassifyTunnel(http);
            }
        }

        if (Find<AuthenticationException>(exception) is not null)
        {
            return ClassifyHandshake(exception);
        }

        return new(ClassifySocket(exception, FailureReason.NetworkError));
    }

    /// <summary>Classifies an exception thrown while reading (and decoding) the response body.</summary>
    public static ClassifiedFailure ClassifyBody(Exception exception)
    {
        if (Find<HttpIOException>(exception) is { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return new(FailureReason.Truncated, null);
        }

        if (exception is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return new(FailureReason.Truncated, null);
        }

        if (Find<UnsupportedCodingException>(exception) is { } unsupported)
        {
            return new(FailureReason.UnsupportedEncoding, unsupported.Message);
        }

        if (Find<ExpansionLimitException>(exception) is { } expansion)
        {
            return new(FailureReason.TooLarge, expansion.Message);
        }

        if (Find<InvalidDataException>(exception) is not null)
        {
            // A decoder (gzip, deflate, br) met bytes that are not what the content coding promised.
            return new(FailureReason.ProtocolError, "corrupt content-coded body");
        }

        return new(ClassifySocket(exception, FailureReason.NetworkError), null);
    }

    /// <summary>Classifies an exception thrown while writing to the output folder, with the OS's reason.</summary>
    public static ClassifiedFailure ClassifyWrite(Exception exception) => exception switch
    {
        UnsafePathException => new(FailureReason.UnsafePath, exception.Message),
        PathTooLongException => new(FailureReason.PathTooLong, Text.PrintableText.Of(exception.Message)),
        IOException io when IsDiskFull(io) => new(FailureReason.DiskFull),
        _ => new(FailureReason.WriteError, IoErrors.Describe(exception)),
    };

    /// <summary>Whether an I/O error means the disk is full (ENOSPC, ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL).</summary>
    public static bool IsDiskFull(IOException exception)
    {
        var code = exception.HResult & 0xFFFF;
        return exception.HResult == 28 || code == 112 || code == 39;
    }

    /// <summary>
    /// A failed TLS handshake. A rejected certificate or a refused handshake is permanent (<see cref="FailureReason.Tls"/>);
    /// a reset or an end of stream in the middle of it is the network's doing, transient like any other reset.
    /// </summary>
    private static ClassifiedFailure ClassifyHandshake(Exception exception)
    {
        if (Find<TlsCertificateException>(exception) is { } rejected)
        {
            return new(FailureReason.Tls, rejected.Detail);
        }

        if (Find<AuthenticationException>(exception) is not null)
        {
            // The peer refused the handshake (a TLS alert: no common protocol version or cipher), or answered
            // something that is not TLS at all.
            return new(FailureReason.Tls, "handshake failed (protocol mismatch)");
        }

        if (Find<SocketException>(exception) is not null)
        {
            var reason = ClassifySocket(exception, FailureReason.NetworkError);
            var detail = reason == FailureReason.ConnectionReset ? "connection reset during the TLS handshake" : null;
            return new(reason, detail, DuringHandshake: true);
        }

        if (Find<IOException>(exception) is not null)
        {
            // SslStream's end of stream before the handshake completed: the server hung up on the ClientHello.
            return new(FailureReason.ConnectionReset, "connection closed during the TLS handshake", DuringHandshake: true);
        }

        return new(FailureReason.Tls);
    }

    /// <summary>
    /// An HTTP proxy answered CONNECT with something other than 200. A 407 is the proxy's (credentials); a 502, 503 or
    /// 504 says the proxy could not reach the host, which is the host's failure, retried without blaming the proxy.
    /// </summary>
    private static ClassifiedFailure ClassifyTunnel(HttpRequestException exception) => exception.StatusCode switch
    {
        System.Net.HttpStatusCode.ProxyAuthenticationRequired =>
            new(FailureReason.ProxyFailed, "the proxy refused the credentials or asked for some (407 to CONNECT)") { ProxyAuthentication = true },
        { } status when (int)status >= 500 => new(FailureReason.NetworkError, $"the proxy could not reach the host ({(int)status} to CONNECT)"),
        { } status => new(FailureReason.ProxyFailed, $"the proxy refused the tunnel ({(int)status} to CONNECT)"),
        null => new(FailureReason.ProxyFailed, "the proxy tunnel failed"),
    };

    private static FailureReason ClassifySocket(Exception exception, FailureReason fallback)
    {
        if (Find<SocketException>(exception) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown
                    or SocketError.NetworkReset => FailureReason.ConnectionReset,
                SocketError.ConnectionRefused => FailureReason.ConnectionRefused,
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => FailureReason.NameResolution,
                SocketError.TimedOut => FailureReason.ConnectTimeout,
                _ => fallback,
            };
        }

        if (Find<HttpIOException>(exception) is { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return FailureReason.Truncated;
        }

        return Find<IOException>(exception) is not null ? FailureReason.NetworkError : FailureReason.Unknown;
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}
