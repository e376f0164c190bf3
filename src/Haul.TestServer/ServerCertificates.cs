using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Haul.TestServer;

/// <summary>The certificates of a TLS server, generated at start: a private CA (unless self-signed) and the server's own.</summary>
internal sealed class ServerCertificates : IDisposable
{
    /// <summary>The name a <see cref="ServerCertificateKind.WrongName"/> certificate is issued for.</summary>
    public const string WrongHostName = "wrong-name.invalid";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly X509Certificate2 _server;
    private readonly X509Certificate2 _trustAnchor;

    private ServerCertificates(X509Certificate2 server, X509Certificate2 trustAnchor)
    {
        _server = server;
        _trustAnchor = trustAnchor;
        TrustPem = trustAnchor.ExportCertificatePem() + "\n";

        // Offline: the chain is the certificate alone, built without any network lookup.
        Context = SslStreamCertificateContext.Create(server, additionalCertificates: null, offline: true);
    }

    /// <summary>What the server presents in its handshake.</summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>The PEM a client must trust: the CA's, or the self-signed certificate itself.</summary>
    public string TrustPem { get; }

    public static ServerCertificates Create(ServerCertificateKind kind)
    {
        // Certificates are checked against the real clock by every client, so they are dated by it too.
        var now = TimeProvider.System.GetUtcNow();
        if (kind == ServerCertificateKind.SelfSigned)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var selfSigned = ServerRequest(key, "localhost", withLoopbackAddress: true).CreateSelfSigned(now.AddHours(-1), now.AddDays(30));
            return new ServerCertificates(Usable(selfSigned), X509CertificateLoader.LoadCertificate(selfSigned.RawData));
        }

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Haul Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-365), now.AddDays(365));

        var (name, notBefore, notAfter) = kind switch
        {
            ServerCertificateKind.Expired => ("localhost", now.AddDays(-30), now.AddDays(-1)),
            ServerCertificateKind.WrongName => (WrongHostName, now.AddHours(-1), now.AddDays(30)),
            _ => ("localhost", now.AddHours(-1), now.AddDays(30)),
        };
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = ServerRequest(serverKey, name, withLoopbackAddress: kind != ServerCertificateKind.WrongName);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, notBefore, notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        return new ServerCertificates(Usable(withKey), X509CertificateLoader.LoadCertificate(ca.RawData));
    }

    public void Dispose()
    {
        _server.Dispose();
        _trustAnchor.Dispose();
    }

    private static CertificateRequest ServerRequest(ECDsa key, string name, bool withLoopbackAddress)
    {
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        alternativeNames.AddDnsName(name);
        if (withLoopbackAddress)
        {
            alternativeNames.AddIpAddress(IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(alternativeNames.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        return request;
    }

    /// <summary>
    /// A copy whose private key went through PKCS#12. OpenSSL (Linux) serves an ephemeral in-memory key as is, but
    /// SChannel (Windows) cannot; the round trip makes the certificate usable by a server everywhere.
    /// </summary>
    private static X509Certificate2 Usable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
}
