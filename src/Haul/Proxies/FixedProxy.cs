using System.Net;

namespace Haul.Proxies;

/// <summary>
/// An HTTP proxy for every request of one handler. Haul decides which requests go through a proxy before it picks
/// the handler (<see cref="ProxyRouter"/>), so nothing is bypassed here: unlike <see cref="WebProxy"/>, which never
/// proxies loopback, this proxies whatever it is given, as curl does.
/// </summary>
internal sealed class FixedProxy(ProxyEndpoint endpoint) : IWebProxy
{
    private readonly Uri _address = endpoint.Uri;

    public ICredentials? Credentials { get; set; } =
        endpoint.HasCredentials ? new NetworkCredential(endpoint.UserName, endpoint.Password) : null;

    public Uri GetProxy(Uri destination) => _address;

    public bool IsBypassed(Uri host) => false;
}
