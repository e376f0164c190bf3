using System.Globalization;

namespace Haul.Proxies;

/// <summary>
/// One proxy: its kind, host, port and optional credentials. <see cref="ToString"/> and <see cref="Address"/> never
/// show the credentials, so an endpoint can be logged and reported as it is.
/// </summary>
internal sealed record ProxyEndpoint(ProxyKind Kind, string Host, int Port, string? UserName, string? Password)
{
    /// <summary>The proxy's URL without credentials, e.g. <c>socks5h://127.0.0.1:1080</c>.</summary>
    public string Address => $"{Scheme(Kind)}://{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The address as a <see cref="Uri"/>, for the HTTP handler.</summary>
    public Uri Uri => new(Address);

    public bool IsSocks => Kind is ProxyKind.Socks5 or ProxyKind.Socks5h;

    public bool HasCredentials => UserName is not null;

    public override string ToString() => Address;

    /// <summary>
    /// Parses a proxy URL as curl does: <c>[scheme://][user:password@]host[:port]</c>; no scheme means <c>http://</c>,
    /// no port means 1080 (443 for <c>https://</c>). The user and password are percent-decoded. On failure
    /// <paramref name="problem"/> says why, without repeating the URL (it may hold a password).
    /// </summary>
    public static bool TryParse(string? text, out ProxyEndpoint? endpoint, out string? problem)
    {
        endpoint = null;
        problem = null;
        var value = text?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            problem = "the proxy URL is empty";
            return false;
        }

        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd < 0 ? "http" : value[..schemeEnd].ToLowerInvariant();
        var rest = schemeEnd < 0 ? value : value[(schemeEnd + 3)..];
        ProxyKind kind;
        switch (scheme)
        {
            case "http": kind = ProxyKind.Http; break;
            case "https": kind = ProxyKind.Https; break;
            case "socks5": kind = ProxyKind.Socks5; break;
            case "socks5h": kind = ProxyKind.Socks5h; break;
            default:
                problem = $"the proxy scheme '{scheme}' is not supported (http, https, socks5, socks5h)";
                return false;
        }

        var pathStart = rest.IndexOfAny(['/', '?', '#']);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        if (pathStart >= 0 && rest[pathStart..].Trim('/').Length > 0)
        {
            problem = "a proxy URL names a host and a port, not a path";
            return false;
        }

        string? user = null;
        string? password = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            password = colon < 0 ? string.Empty : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }

        string host;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                problem = "the proxy's IPv6 address has no closing ']'";
                return false;
            }

            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    problem = "the proxy's host is malformed";
                    return false;
                }

                portText = after[1..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            problem = "the proxy URL has no valid host";
            return false;
        }

        var port = kind == ProxyKind.Https ? 443 : 1080;
        if (!string.IsNullOrEmpty(portText)
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            problem = "the proxy's port is not a number from 1 to 65535";
            return false;
        }

        endpoint = new ProxyEndpoint(kind, host.ToLowerInvariant(), port, user, password);
        return true;
    }

    private static string Scheme(ProxyKind kind) => kind switch
    {
        ProxyKind.Https => "https",
        ProxyKind.Socks5 => "socks5",
        ProxyKind.Socks5h => "socks5h",
        _ => "http",
    };
}
