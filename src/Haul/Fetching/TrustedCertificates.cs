using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Haul.Engine;
using Haul.Input;

namespace Haul.Fetching;

/// <summary>Reads the PEM files of <see cref="HaulOptions.TrustedCertificateFiles"/>.</summary>
internal static class TrustedCertificates
{
    /// <summary>A larger file (in characters, 4 MiB) is refused, read no further; a system's whole CA bundle is about 250 KB.</summary>
    public const int MaxFileChars = 4 << 20;

    /// <summary>Every certificate of every file.</summary>
    /// <exception cref="ArgumentException">A file cannot be read, is not PEM, or holds no certificate; the message names it.</exception>
    public static X509Certificate2Collection Load(IReadOnlyList<string> files)
    {
        var certificates = new X509Certificate2Collection();
        foreach (var file in files)
        {
            if (TryAdd(file, certificates) is { } problem)
            {
                throw new ArgumentException(problem, nameof(files));
            }
        }

        return certificates;
    }

    /// <summary>What is wrong with each unusable file, one sentence each.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<string> files)
    {
        foreach (var file in files)
        {
            var scratch = new X509Certificate2Collection();
            var problem = TryAdd(file, scratch);
            foreach (var certificate in scratch)
            {
                certificate.Dispose();
            }

            if (problem is not null)
            {
                yield return problem;
            }
        }
    }

    private static string? TryAdd(string file, X509Certificate2Collection certificates)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return "a trusted certificate file has an empty name";
        }

        string text;
        try
        {
            text = BoundedLineReader.ReadAllText(file, $"the trusted certificate file '{file}' (--cacert)", MaxFileChars);
        }
        catch (InvalidDataException exception)
        {
            return exception.Message;
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"the trusted certificate file '{file}' (--cacert) does not exist";
        }
        catch (UnauthorizedAccessException)
        {
            return $"the trusted certificate file '{file}' (--cacert) cannot be read (permission denied)";
        }
        catch (Exception exception) when (exception is IOException or NotSupportedException or ArgumentException)
        {
            return $"the trusted certificate file '{file}' (--cacert) cannot be read ({exception.Message.TrimEnd('.')})";
        }

        var before = certificates.Count;
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException)
        {
            return $"the trusted certificate file '{file}' (--cacert) holds a malformed PEM certificate";
        }

        return certificates.Count == before
            ? $"the trusted certificate file '{file}' (--cacert) holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
            : null;
    }
}
