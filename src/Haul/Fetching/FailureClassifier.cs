using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using Haul.Writing;

namespace Haul.Fetching;

/// <summary>
/// Turns the exceptions of the HTTP stack and the file system into a <see cref="FailureReason"/>.
/// Classification uses types and enums only (HttpRequestError, SocketError), never message text.
/// </summary>
internal static class FailureClassifier
{
    /// <summary>Classifies an exception thrown while sending the request or reading the response headers.</summary>
    public static FailureReason ClassifySend(Exception exception)
    {
        if (Find<ConnectTimeoutException>(exception) is not null)
        {
            return FailureReason.ConnectTimeout;
        }

        if (exception is HttpRequestException http)
        {
            switch (http.HttpRequestError)
            {
                case HttpRequestError.NameResolutionError:
                    return FailureReason.NameResolution;
                case HttpRequestError.SecureConnectionError:
                    return FailureReason.Tls;
                case HttpRequestError.HttpProtocolError:
                case HttpRequestError.InvalidResponse:
                case HttpRequestError.ConfigurationLimitExceeded:
                    return FailureReason.ProtocolError;
                case HttpRequestError.ResponseEnded:
                    // The server closed the connection before a whole response: on a request without a body that
                    // is the same race as a reset, seen from the FIN side.
                    return FailureReason.ConnectionReset;
                case HttpRequestError.ConnectionError:
                    return ClassifySocket(exception, FailureReason.NetworkError);
            }
        }

        if (Find<AuthenticationException>(exception) is not null)
        {
            return FailureReason.Tls;
        }

        return ClassifySocket(exception, FailureReason.NetworkError);
    }

    /// <summary>Classifies an exception thrown while reading (and decoding) the response body.</summary>
    public static (FailureReason Reason, string? Detail) ClassifyBody(Exception exception)
    {
        if (Find<HttpIOException>(exception) is { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return (FailureReason.Truncated, null);
        }

        if (exception is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return (FailureReason.Truncated, null);
        }

        if (Find<UnsupportedCodingException>(exception) is { } unsupported)
        {
            return (FailureReason.UnsupportedEncoding, unsupported.Message);
        }

        if (Find<InvalidDataException>(exception) is not null)
        {
            // A decoder (gzip, deflate, br) met bytes that are not what the content coding promised.
            return (FailureReason.ProtocolError, "corrupt content-coded body");
        }

        return (ClassifySocket(exception, FailureReason.NetworkError), null);
    }

    /// <summary>Classifies an exception thrown while writing to the output folder, with the OS's reason.</summary>
    public static (FailureReason Reason, string? Detail) ClassifyWrite(Exception exception) => exception switch
    {
        UnsafePathException => (FailureReason.UnsafePath, exception.Message),
        IOException io when IsDiskFull(io) => (FailureReason.DiskFull, null),
        _ => (FailureReason.WriteError, IoErrors.Describe(exception)),
    };

    /// <summary>Whether an I/O error means the disk is full (ENOSPC, ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL).</summary>
    public static bool IsDiskFull(IOException exception)
    {
        var code = exception.HResult & 0xFFFF;
        return exception.HResult == 28 || code == 112 || code == 39;
    }

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
