using Haul.Engine;
using Haul.Proxies;

namespace Haul.Tests.Proxies;

/// <summary>The proxy environment variables, read from a dictionary: the real environment is never touched.</summary>
public sealed class ProxyConfigurationTests
{
    private static readonly Uri HttpTarget = new("http://files.example/a.jpg");
    private static readonly Uri HttpsTarget = new("https://files.example/a.jpg");

    private static ProxyConfiguration With(Dictionary<string, string> environment, HaulOptions? options = null) =>
        ProxyConfiguration.From((options ?? new HaulOptions()) with { ProxyEnvironment = name => environment.GetValueOrDefault(name) });

    [Fact]
    public void HttpProxy_IsReadInLowerCaseOnly_AsCurlDoes()
    {
        var lower = With(new() { ["http_proxy"] = "http://lower:1" });
        var upper = With(new() { ["HTTP_PROXY"] = "http://upper:1" });

        Assert.Equal("lower", lower.EnvironmentProxyFor(HttpTarget)!.Host);
        Assert.Null(upper.EnvironmentProxyFor(HttpTarget));
        Assert.False(upper.UsesProxies);
    }

    [Fact]
    public void HttpsProxy_InEitherCase_LowerCaseFirst_AndOnlyForHttps()
    {
        var upper = With(new() { ["HTTPS_PROXY"] = "http://upper:1" });
        var both = With(new() { ["HTTPS_PROXY"] = "http://upper:1", ["https_proxy"] = "http://lower:1" });

        Assert.Equal("upper", upper.EnvironmentProxyFor(HttpsTarget)!.Host);
        Assert.Null(upper.EnvironmentProxyFor(HttpTarget));
        Assert.Equal("lower", both.EnvironmentProxyFor(HttpsTarget)!.Host);
    }

    [Fact]
    public void AllProxy_ServesEitherScheme_UnlessASpecificOneIsSet()
    {
        var configuration = With(new() { ["ALL_PROXY"] = "socks5h://all:1080", ["https_proxy"] = "http://secure:1" });

        Assert.Equal(ProxyKind.Socks5h, configuration.EnvironmentProxyFor(HttpTarget)!.Kind);
        Assert.Equal("secure", configuration.EnvironmentProxyFor(HttpsTarget)!.Host);
    }

    [Fact]
    public void NoProxy_FromTheEnvironment_SendsMatchingHostsDirect()
    {
        var configuration = With(new() { ["http_proxy"] = "http://p:1", ["NO_PROXY"] = ".example,localhost" });

        Assert.Null(configuration.EnvironmentProxyFor(HttpTarget));
        Assert.NotNull(configuration.EnvironmentProxyFor(new Uri("http://other.org/a")));
    }

    [Fact]
    public void ExplicitProxy_WinsOverTheEnvironment()
    {
        var configuration = With(new() { ["http_proxy"] = "http://env:1" }, new HaulOptions { Proxy = "socks5://mine:1080" });

        var only = Assert.Single(configuration.Rotation);
        Assert.Equal("mine", only.Host);
        Assert.Null(configuration.Http);
    }

    [Fact]
    public void NoProxyOption_WinsOverTheEnvironment_AndEmptyProxiesEverything()
    {
        var environment = new Dictionary<string, string> { ["http_proxy"] = "http://p:1", ["no_proxy"] = "files.example" };

        Assert.Null(With(environment).EnvironmentProxyFor(HttpTarget));
        Assert.NotNull(With(environment, new HaulOptions { NoProxy = string.Empty }).EnvironmentProxyFor(HttpTarget));
        Assert.False(With(environment, new HaulOptions { NoProxy = "*" }).UsesProxies);
    }

    [Fact]
    public void LoopbackTargets_AreProxiedUnlessNoProxySaysOtherwise_AsCurlDoes()
    {
        var configuration = With(new() { ["http_proxy"] = "http://p:1" });

        Assert.NotNull(configuration.EnvironmentProxyFor(new Uri("http://127.0.0.1:8080/a")));
        Assert.NotNull(configuration.EnvironmentProxyFor(new Uri("http://localhost:8080/a")));
    }

    [Fact]
    public void WithoutAnEnvironment_NothingIsRead()
    {
        var configuration = ProxyConfiguration.From(new HaulOptions { ProxyEnvironment = null });

        Assert.False(configuration.UsesProxies);
    }

    [Fact]
    public void BadProxies_AreReportedByValidate_WithTheirSource_NeverTheirPassword()
    {
        var options = new HaulOptions
        {
            ProxyList = ["http://good:1", "ftp://user:secret@bad:1"],
            ProxyEnvironment = _ => null,
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("entry 2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);

        var fromEnvironment = new HaulOptions { ProxyEnvironment = name => name == "https_proxy" ? "gopher://x" : null };
        Assert.Contains("https_proxy", Assert.Throws<ArgumentException>(fromEnvironment.Validate).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(new HaulOptions { Proxy = "http://a:1", ProxyList = ["http://b:1"] }.Validate);
    }
}
