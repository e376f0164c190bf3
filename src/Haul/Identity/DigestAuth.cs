using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Haul.Identity;

/// <summary>
/// The <c>Authorization</c> value of HTTP Digest (RFC 7616) for one request: MD5 or SHA-256 (and their <c>-sess</c>
/// forms), <c>qop=auth</c> with a nonce count and a client nonce, or the RFC 2069 form when the server offers no qop.
/// </summary>
internal static class DigestAuth
{
    public static string Authorization(AuthChallenge challenge, NetworkCredential credential, string method, string uri, long nonceCount, string clientNonce)
    {
        var algorithm = challenge.Algorithm;
        var realm = challenge["realm"] ?? string.Empty;
        var nonce = challenge["nonce"]!;
        var qop = challenge["qop"] is null ? null : "auth";
        var nc = nonceCount.ToString("x8", CultureInfo.InvariantCulture);
        var ha1 = Hash(algorithm, $"{credential.UserName}:{realm}:{credential.Password}");
        if (algorithm.EndsWith("-SESS", StringComparison.Ordinal))
        {
            ha1 = Hash(algorithm, $"{ha1}:{nonce}:{clientNonce}");
        }

        var ha2 = Hash(algorithm, $"{method}:{uri}");
        var response = qop is null
            ? Hash(algorithm, $"{ha1}:{nonce}:{ha2}")
            : Hash(algorithm, $"{ha1}:{nonce}:{nc}:{clientNonce}:{qop}:{ha2}");
        var header = new StringBuilder("Digest ")
            .Append("username=").Append(Quote(credential.UserName))
            .Append(", realm=").Append(Quote(realm))
            .Append(", nonce=").Append(Quote(nonce))
            .Append(", uri=").Append(Quote(uri))
            .Append(", algorithm=").Append(challenge["algorithm"] ?? "MD5")
            .Append(", response=").Append(Quote(response));
        if (qop is not null)
        {
            header.Append(", qop=").Append(qop).Append(", nc=").Append(nc).Append(", cnonce=").Append(Quote(clientNonce));
        }

        if (challenge["opaque"] is { } opaque)
        {
            header.Append(", opaque=").Append(Quote(opaque));
        }

        return header.ToString();
    }

    /// <summary>A fresh client nonce.</summary>
    public static string NewClientNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The digest of <paramref name="text"/> in lower-case hex, by the challenge's algorithm.</summary>
    public static string Hash(string algorithm, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
#pragma warning disable CA5351 // MD5 is what the server asked for; Digest's MD5 is a protocol, not a choice.
        return Convert.ToHexStringLower(algorithm.StartsWith("SHA-256", StringComparison.Ordinal) ? SHA256.HashData(bytes) : MD5.HashData(bytes));
#pragma warning restore CA5351
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
