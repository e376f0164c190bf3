namespace Haul.TestServer;

/// <summary>Makes a <see cref="HostileServer"/> speak HTTPS (TLS 1.2 or 1.3, ALPN <c>http/1.1</c>) with a certificate it generates.</summary>
public sealed class ServerTls
{
    /// <summary>The certificate presented. Default: issued by the server's private CA (see <see cref="HostileServer.CaCertificatePem"/>).</summary>
    public ServerCertificateKind Certificate { get; init; } = ServerCertificateKind.IssuedByCa;
}
