namespace Haul.Proxies;

/// <summary>
/// One way out: direct, or one proxy, with its pair of clients (pooled, and fresh for the stale keep-alive retry),
/// created once for the job, and the proxy's health: failures in a row and when it comes back from being set aside.
/// </summary>
internal sealed class ProxyRoute(ProxyEndpoint? proxy, HttpMessageHandler pooled, HttpMessageHandler fresh) : IDisposable
{
    /// <summary>The proxy, or null for direct connections.</summary>
    public ProxyEndpoint? Proxy { get; } = proxy;

    public HttpClient Pooled { get; } = Fetching.HttpClientFactory.Wrap(pooled);

    public HttpClient Fresh { get; } = Fetching.HttpClientFactory.Wrap(fresh);

    /// <summary>The pooled client's handler, for a handler that routes requests it was given (an HttpClient sends a request only once).</summary>
    public HttpMessageInvoker PooledInvoker { get; } = new(pooled, disposeHandler: false);

    /// <summary>Failures at the proxy since its last success (guarded by the router).</summary>
    internal int FailuresInARow { get; set; }

    /// <summary>Until when (<see cref="TimeProvider.GetTimestamp"/>) the proxy is set aside; 0 when it is not.</summary>
    internal long SetAsideUntil { get; set; }

    /// <summary>Hosts that use this proxy now.</summary>
    internal int Hosts { get; set; }

    public override string ToString() => Proxy?.Address ?? "direct";

    public void Dispose()
    {
        PooledInvoker.Dispose();
        Pooled.Dispose();
        Fresh.Dispose();
    }
}
