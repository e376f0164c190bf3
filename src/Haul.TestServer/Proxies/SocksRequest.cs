namespace Haul.TestServer.Proxies;

/// <summary>One SOCKS5 CONNECT the proxy received: the address type (1 IPv4, 3 domain name, 4 IPv6), the host as sent (a name or an address) and the port.</summary>
public sealed record SocksRequest(byte AddressType, string Host, int Port)
{
    /// <summary>The address type of a name, which the proxy resolves (what a <c>socks5h://</c> client sends).</summary>
    public const byte DomainName = 3;

    /// <summary>The address type of an IPv4 address (what a <c>socks5://</c> client sends after resolving a name itself).</summary>
    public const byte IPv4 = 1;
}
