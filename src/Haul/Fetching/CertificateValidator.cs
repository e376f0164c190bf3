using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Haul.Engine;

namespace Haul.Fetching;

/// <summary>
/// Decides whether a server's certificate is accepted: what the system trusts, plus the certificates of
/// <see cref="HaulOptions.TrustedCertificateFiles"/>; nothing is checked with <see cref="HaulOptions.Insecure"/>.
/// A rejection throws a <see cref="TlsCertificateException"/> that says why.
/// </summary>
internal sealed class CertificateValidator
{
    private readonly bool _insecure;
    private readonly X509Certificate2Collection _trusted;

    public CertificateValidator(bool insecure, X509Certificate2Collection trusted)
    {
        _insecure = insecure;
        _trusted = trusted;
    }

    /// <summary>Reads the trusted certificate files once, for every connection of the clients that share the validator.</summary>
    /// <exception cref="ArgumentException">A file cannot be read or holds no certificate.</exception>
    public static CertificateValidator Create(HaulOptions options) =>
        new(options.Insecure, TrustedCertificates.Load(options.TrustedCertificateFiles));

    /// <summary>A <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_insecure || errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && _trusted.Count > 0 && certificate is not null && chain is not null)
        {
            using var ownChain = BuildWithTrusted(certificate, chain, out var built);
            if (built)
            {
                errors &= ~SslPolicyErrors.RemoteCertificateChainErrors;
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                throw new TlsCertificateException(CertificateDiagnosis.Describe(errors, ownChain));
            }

            // The chain reached one of our certificates but is still wrong (expired, say): its flags tell why better
            // than the system's "unknown issuer".
            var reachedTrusted = (CertificateDiagnosis.Flags(ownChain) & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) == 0;
            throw new TlsCertificateException(CertificateDiagnosis.Describe(errors, reachedTrusted ? ownChain : chain));
        }

        throw new TlsCertificateException(CertificateDiagnosis.Describe(errors, chain));
    }

    /// <summary>Builds the chain again with the trusted certificates as its only roots, under the system chain's policy otherwise.</summary>
    private X509Chain BuildWithTrusted(X509Certificate certificate, X509Chain systemChain, out bool built)
    {
        var ownChain = new X509Chain { ChainPolicy = systemChain.ChainPolicy.Clone() };
        ownChain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        ownChain.ChainPolicy.CustomTrustStore.Clear();
        ownChain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        built = ownChain.Build(leaf);
        return ownChain;
    }
}
