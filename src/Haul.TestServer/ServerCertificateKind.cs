namespace Haul.TestServer;

/// <summary>Which certificate a TLS <see cref="HostileServer"/> presents; every one is generated when the server starts.</summary>
public enum ServerCertificateKind
{
    /// <summary>Issued by a private CA generated with it, for <c>localhost</c> and <c>127.0.0.1</c>; a client that trusts the CA accepts it.</summary>
    IssuedByCa,

    /// <summary>Self-signed, for <c>localhost</c> and <c>127.0.0.1</c>: its own issuer, trusted only by a client given the certificate itself.</summary>
    SelfSigned,

    /// <summary>Issued by the private CA for <c>localhost</c> and <c>127.0.0.1</c>, valid until yesterday.</summary>
    Expired,

    /// <summary>Issued by the private CA for another name (<c>wrong-name.invalid</c>) and no IP address.</summary>
    WrongName,
}
