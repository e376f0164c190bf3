using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Haul.Fetching;

/// <summary>Says in a few words why a server certificate was rejected, from the policy errors and the chain's status flags.</summary>
internal static class CertificateDiagnosis
{
    /// <summary>Flags that only say revocation was not checked; Haul does not check revocation, like browsers and curl by default.</summary>
    private const X509ChainStatusFlags Unchecked = X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;

    private const X509ChainStatusFlags Described = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain
        | X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.Revoked | X509ChainStatusFlags.NotSignatureValid
        | X509ChainStatusFlags.NotValidForUsage;

    /// <summary>For example <c>certificate name mismatch</c>, or <c>certificate not trusted (unknown issuer); certificate expired</c>.</summary>
    public static string Describe(SslPolicyErrors errors, X509Chain? chain)
    {
        var problems = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problems.Add("no certificate presented");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            problems.Add("certificate name mismatch");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            problems.AddRange(DescribeChain(chain));
        }

        return problems.Count == 0 ? "certificate rejected" : string.Join("; ", problems);
    }

    /// <summary>The status flags of a chain, over all its elements.</summary>
    public static X509ChainStatusFlags Flags(X509Chain chain) =>
        chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, status) => all | status.Status);

    private static IEnumerable<string> DescribeChain(X509Chain? chain)
    {
        if (chain is null)
        {
            yield return "certificate chain invalid";
            yield break;
        }

        var flags = Flags(chain);
        if (flags.HasFlag(X509ChainStatusFlags.UntrustedRoot))
        {
            yield return IsSelfSigned(chain) ? "certificate not trusted (self-signed)" : "certificate not trusted (untrusted root)";
        }

        if (flags.HasFlag(X509ChainStatusFlags.PartialChain))
        {
            yield return "certificate not trusted (unknown issuer)";
        }

        if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            yield return DescribeTime(chain);
        }

        if (flags.HasFlag(X509ChainStatusFlags.Revoked))
        {
            yield return "certificate revoked";
        }

        if (flags.HasFlag(X509ChainStatusFlags.NotSignatureValid))
        {
            yield return "certificate signature invalid";
        }

        if (flags.HasFlag(X509ChainStatusFlags.NotValidForUsage))
        {
            yield return "certificate not valid for a server";
        }

        var rest = flags & ~Described & ~Unchecked;
        if (rest != X509ChainStatusFlags.NoError || (flags & Described) == X509ChainStatusFlags.NoError)
        {
            yield return $"certificate chain invalid ({rest})";
        }
    }

    private static bool IsSelfSigned(X509Chain chain) =>
        chain.ChainElements.Count == 1
        && chain.ChainElements[0].Certificate.SubjectName.RawData.AsSpan().SequenceEqual(chain.ChainElements[0].Certificate.IssuerName.RawData);

    private static string DescribeTime(X509Chain chain)
    {
        if (chain.ChainElements.Count == 0 || !chain.ChainElements[0].ChainElementStatus.Any(s => s.Status.HasFlag(X509ChainStatusFlags.NotTimeValid)))
        {
            return "issuer certificate expired or not yet valid";
        }

        var certificate = chain.ChainElements[0].Certificate;
        var at = chain.ChainPolicy.VerificationTime.ToUniversalTime();
        return certificate.NotAfter.ToUniversalTime() < at ? "certificate expired" : "certificate not yet valid";
    }
}
