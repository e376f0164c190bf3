namespace Haul.Proxies;

/// <summary>
/// A failure at the proxy rather than at the target host: the proxy could not be reached in time, refused or dropped
/// the connection, refused the credentials, or broke its protocol. Classified as
/// <see cref="Fetching.FailureReason.ProxyFailed"/>, it never counts against the target host.
/// </summary>
internal sealed class ProxyFailureException : IOException
{
    public ProxyFailureException(ProxyEndpoint proxy, string detail, bool authentication = false, Exception? inner = null)
        : base($"proxy {proxy.Address}: {detail}", inner)
    {
        Detail = Message;
        Authentication = authentication;
    }

    /// <summary>What failed, naming the proxy by its address (never its credentials).</summary>
    public string Detail { get; }

    /// <summary>The proxy refused the credentials, or asked for some and had none: trying the same proxy again cannot help.</summary>
    public bool Authentication { get; }
}
