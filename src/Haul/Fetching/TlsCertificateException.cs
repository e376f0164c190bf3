using System.Security.Authentication;

namespace Haul.Fetching;

/// <summary>
/// Thrown from the certificate validation callback when Haul rejects a server's certificate, carrying why. SslStream
/// lets it through unchanged, so it arrives as the inner exception of the <see cref="HttpRequestException"/>.
/// </summary>
internal sealed class TlsCertificateException : AuthenticationException
{
    public TlsCertificateException(string detail)
        : base("The server's certificate was rejected: " + detail + ".")
    {
        Detail = detail;
    }

    public TlsCertificateException()
        : this("certificate rejected")
    {
    }

    public TlsCertificateException(string message, Exception innerException)
        : base(message, innerException)
    {
        Detail = message;
    }

    /// <summary>Why, e.g. <c>certificate expired</c> or <c>certificate not trusted (self-signed)</c>.</summary>
    public string Detail { get; }
}
