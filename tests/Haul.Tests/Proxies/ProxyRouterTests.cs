using Haul.Engine;
using Haul.Fetching;
using Haul.Proxies;
using Microsoft.Extensions.Time.Testing;

namespace Haul.Tests.Proxies;

/// <summary>How hosts are spread across a proxy list, and how a failing proxy is set aside, on a fake clock.</summary>
public sealed class ProxyRouterTests
{
    private static readonly Uri A = new("http://a.example/1");
    private static readonly Uri B = new("http://b.example/1");
    private static readonly Uri C = new("http://c.example/1");

    private static ProxyRouter Router(FakeTimeProvider time, params string[] proxies) =>
        new(new HaulOptions { ProxyList = proxies, ProxyEnvironment = null, TimeProvider = time, ProxySetAside = TimeSpan.FromSeconds(10) },
            CertificateValidator.Create(new HaulOptions()));

    private static string Via(ProxyRouter router, Uri url) => router.Route(url, out _)!.ToString();

    [Fact]
    public void Hosts_AreSpreadAcrossTheProxies_AndKeepTheirProxy()
    {
        using var router = Router(new FakeTimeProvider(), "http://p1:1", "http://p2:1");

        var a = Via(router, A);
        var b = Via(router, B);

        Assert.NotEqual(a, b);
        Assert.Equal(a, Via(router, new Uri("http://a.example/2")));
        Assert.Equal(b, Via(router, B));
    }

    [Fact]
    public void AFailingProxy_IsSetAside_ItsHostMoves_AndTheSetAsideDoublesUntilASuccess()
    {
        var time = new FakeTimeProvider();
        using var router = Router(time, "http://p1:1", "http://p2:1");
        var first = router.Route(A, out _)!;

        router.Report(first, FailureReason.ProxyFailed, "connection refused");

        var other = router.Route(A, out _)!;
        Assert.NotEqual(first, other);
        Assert.Equal(other, router.Route(A, out _));

        // A new host takes the least used proxy that works: the other one while the first is set aside (10 s)...
        Assert.Equal(other, router.Route(Host(1), out _));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(first, router.Route(Host(2), out _));

        // ...and a second failure in a row sets it aside for twice as long.
        router.Report(first, FailureReason.ProxyFailed, "connection refused");
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(other, router.Route(Host(3), out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(first, router.Route(Host(4), out _));

        // A success ends the run of failures: the next set-aside is the first one's length again.
        router.Report(first, FailureReason.None, null);
        router.Report(first, FailureReason.ProxyFailed, "connection refused");
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(first, router.Route(Host(4), out _));
    }

    private static Uri Host(int n) => new($"http://host{n}.example/");

    [Fact]
    public void EveryProxySetAside_NoRoute_AndTheWaitIsUntilTheFirstComesBack()
    {
        var time = new FakeTimeProvider();
        using var router = Router(time, "http://p1:1", "http://p2:1");
        var first = router.Route(A, out _)!;
        var second = router.Route(B, out _)!;
        router.Report(first, FailureReason.ProxyFailed, "refused");
        time.Advance(TimeSpan.FromSeconds(4));
        router.Report(second, FailureReason.ProxyFailed, "refused");

        Assert.Null(router.Route(A, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(6), wait);
        time.Advance(wait);
        Assert.Equal(first, router.Route(A, out _));
    }

    [Fact]
    public void ASingleProxy_IsNeverSetAside_AndNoProxyHostsGoDirect()
    {
        using var router = new ProxyRouter(
            new HaulOptions { Proxy = "socks5h://p:1080", NoProxy = "b.example", ProxyEnvironment = null },
            CertificateValidator.Create(new HaulOptions()));
        var only = router.Route(A, out _)!;

        router.Report(only, FailureReason.ProxyFailed, "refused");

        Assert.Equal(only, router.Route(A, out _));
        Assert.Equal("direct", Via(router, B));
        Assert.False(router.Rotates);
    }
}
