using System.Globalization;
using System.Net;

namespace Haul.Identity;

/// <summary>The matching rules of RFC 6265 (sections 5.1.3 and 5.1.4): which hosts and paths a cookie belongs to.</summary>
internal static class CookieRules
{
    private static readonly IdnMapping Idn = new();

    /// <summary>The host of a URL as cookies name it: lower case, IDNA ASCII form.</summary>
    public static string HostOf(Uri url) => url.IdnHost.ToLowerInvariant();

    /// <summary>Whether <paramref name="host"/> domain-matches <paramref name="domain"/>: the same, or a subdomain of it (never for an IP address).</summary>
    public static bool DomainMatches(string host, string domain) =>
        string.Equals(host, domain, StringComparison.Ordinal)
        || (host.Length > domain.Length
            && host.EndsWith(domain, StringComparison.Ordinal)
            && host[host.Length - domain.Length - 1] == '.'
            && !IsIpAddress(host));

    /// <summary>Whether a request path path-matches a cookie's path.</summary>
    public static bool PathMatches(string requestPath, string cookiePath) =>
        string.Equals(requestPath, cookiePath, StringComparison.Ordinal)
        || (requestPath.StartsWith(cookiePath, StringComparison.Ordinal)
            && (cookiePath.EndsWith('/') || requestPath[cookiePath.Length] == '/'));

    /// <summary>The default path of a cookie set by a response to <paramref name="url"/>: its path up to the last slash.</summary>
    public static string DefaultPath(Uri url)
    {
        var path = url.AbsolutePath;
        if (path.Length == 0 || path[0] != '/')
        {
            return "/";
        }

        var last = path.LastIndexOf('/');
        return last <= 0 ? "/" : path[..last];
    }

    /// <summary>
    /// The domain a <c>Domain</c> attribute names, canonical (lower case, ASCII, no leading dot), or null when it is
    /// unusable: empty, not a host name, or not convertible to IDNA.
    /// </summary>
    public static string? CanonicalDomain(string attribute)
    {
        var domain = attribute.Trim().TrimStart('.');
        if (domain.Length == 0 || domain.Length > 253 || domain.EndsWith('.'))
        {
            return null;
        }

        try
        {
            domain = domain.Any(c => c > '~') ? Idn.GetAscii(domain) : domain;
        }
        catch (ArgumentException)
        {
            return null;
        }

        domain = domain.ToLowerInvariant();
        return domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or ':' or '[' or ']') ? domain : null;
    }

    /// <summary>Whether a host is an IP address (v4, or v6 in brackets), which only ever matches itself.</summary>
    public static bool IsIpAddress(string host) =>
        host.StartsWith('[') || IPAddress.TryParse(host, out _);
}
