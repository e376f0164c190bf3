using System.Security.Cryptography;
using System.Text;

namespace Haul.TestServer;

/// <summary>
/// <c>/auth/basic/files/NAME</c> and <c>/auth/digest/{md5|sha-256}/files/NAME</c>: the file, for a request that
/// authenticates as <see cref="User"/> with <see cref="Password"/> (Basic, or Digest of RFC 7616 with <c>qop=auth</c>);
/// anything else gets 401 with the route's challenge. What the client sent is in the request log
/// (<see cref="RequestRecord.Authorization"/>).
/// </summary>
internal static class AuthResponder
{
    public const string Prefix = "auth";

    public const string User = "alice";

    public const string Password = "s3cret:pw";

    public const string Realm = "haul-test";

    public const string Nonce = "6d8c1f0a2b3e4d5f";

    public const string Opaque = "a1b2c3";

    /// <summary>Routes <paramref name="segments"/> (the path's, <c>auth</c> first) when they name an auth route.</summary>
    public static bool TryRoute(Exchange exchange, string[] segments, CancellationToken cancellationToken, out ValueTask<ExchangeOutcome> response)
    {
        response = default;
        string? algorithm = null;
        int rest;
        if (segments.Length >= 3 && segments[1] == "basic")
        {
            rest = 2;
        }
        else if (segments.Length >= 4 && segments[1] == "digest" && segments[2] is "md5" or "sha-256")
        {
            algorithm = segments[2].ToUpperInvariant();
            rest = 3;
        }
        else
        {
            return false;
        }

        if (exchange.Context.Catalog.Find("/" + string.Join('/', segments.Skip(rest))) is not { } file)
        {
            return false;
        }

        var authorization = exchange.Request.Header("Authorization");
        var accepted = algorithm is null ? IsBasic(authorization) : IsDigest(authorization, algorithm, exchange.Request);
        if (accepted)
        {
            response = FileResponder.RespondAsync(exchange, file, cancellationToken);
            return true;
        }

        var challenge = algorithm is null
            ? $"Basic realm=\"{Realm}\""
            : $"Digest realm=\"{Realm}\", qop=\"auth\", algorithm={algorithm}, nonce=\"{Nonce}\", opaque=\"{Opaque}\"";
        response = exchange.SendHtmlAsync(401, "Unauthorized", cancellationToken, head => head.Add("WWW-Authenticate", challenge));
        return true;
    }

    private static bool IsBasic(string? authorization) =>
        authorization is not null
        && authorization.StartsWith("Basic ", StringComparison.Ordinal)
        && authorization["Basic ".Length..] == Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Password));

    private static bool IsDigest(string? authorization, string algorithm, HttpRequest request)
    {
        if (authorization is null || !authorization.StartsWith("Digest ", StringComparison.Ordinal))
        {
            return false;
        }

        var fields = Parameters(authorization["Digest ".Length..]);
        string Field(string name) => fields.GetValueOrDefault(name, string.Empty);
        if (Field("username") != User || Field("realm") != Realm || Field("nonce") != Nonce || Field("opaque") != Opaque
            || Field("qop") != "auth" || Field("uri") != request.Target || !Field("algorithm").Equals(algorithm, StringComparison.OrdinalIgnoreCase)
            || Field("nc").Length != 8 || Field("cnonce").Length == 0)
        {
            return false;
        }

        var ha1 = Hash(algorithm, $"{User}:{Realm}:{Password}");
        var ha2 = Hash(algorithm, $"{request.Method}:{Field("uri")}");
        return Field("response") == Hash(algorithm, $"{ha1}:{Nonce}:{Field("nc")}:{Field("cnonce")}:auth:{ha2}");
    }

    private static string Hash(string algorithm, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
#pragma warning disable CA5351 // The protocol's MD5, checked as a server must.
        return Convert.ToHexStringLower(algorithm == "SHA-256" ? SHA256.HashData(bytes) : MD5.HashData(bytes));
#pragma warning restore CA5351
    }

    private static Dictionary<string, string> Parameters(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && text[i] is ',' or ' ')
            {
                i++;
            }

            var eq = text.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var name = text[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                end = end < 0 ? text.Length : end;
                value = text[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = text.IndexOf(',', i);
                end = end < 0 ? text.Length : end;
                value = text[i..end].Trim();
                i = end;
            }

            fields[name] = value;
        }

        return fields;
    }
}
