namespace Haul.Proxies;

/// <summary>How Haul talks to a proxy, from the scheme of its URL.</summary>
internal enum ProxyKind
{
    /// <summary><c>http://</c>: plain HTTP to the proxy; http targets as absolute-form requests, https through CONNECT.</summary>
    Http,

    /// <summary><c>https://</c>: as <see cref="Http"/>, over TLS to the proxy.</summary>
    Https,

    /// <summary><c>socks5://</c>: SOCKS5 (RFC 1928), the target's name resolved by Haul and sent as an address.</summary>
    Socks5,

    /// <summary><c>socks5h://</c>: SOCKS5, the target's name sent to the proxy, which resolves it.</summary>
    Socks5h,
}
