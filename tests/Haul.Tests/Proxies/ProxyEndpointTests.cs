using Haul.Proxies;

namespace Haul.Tests.Proxies;

public sealed class ProxyEndpointTests
{
    [Theory]
    [InlineData("http://proxy.example:3128", "Http", "proxy.example", 3128)]
    [InlineData("proxy.example:3128", "Http", "proxy.example", 3128)]
    [InlineData("proxy.example", "Http", "proxy.example", 1080)]
    [InlineData("HTTPS://Proxy.Example", "Https", "proxy.example", 443)]
    [InlineData("socks5://10.0.0.1", "Socks5", "10.0.0.1", 1080)]
    [InlineData("socks5h://[::1]:9050", "Socks5h", "::1", 9050)]
    [InlineData("http://proxy.example:3128/", "Http", "proxy.example", 3128)]
    public void Parses_SchemeHostAndPort_WithCurlsDefaults(string text, string kind, string host, int port)
    {
        Assert.True(ProxyEndpoint.TryParse(text, out var endpoint, out var problem), problem);
        Assert.Equal(Enum.Parse<ProxyKind>(kind), endpoint!.Kind);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.False(endpoint.HasCredentials);
    }

    [Fact]
    public void Credentials_ArePercentDecoded_AndNeverShown()
    {
        Assert.True(ProxyEndpoint.TryParse("http://us%40er:p%3Ass@proxy.example:3128", out var endpoint, out _));

        Assert.Equal("us@er", endpoint!.UserName);
        Assert.Equal("p:ss", endpoint.Password);
        Assert.Equal("http://proxy.example:3128", endpoint.Address);
        Assert.Equal("http://proxy.example:3128", endpoint.ToString());
        Assert.DoesNotContain("p:ss", endpoint.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://proxy.example", "scheme")]
    [InlineData("socks4://proxy.example", "scheme")]
    [InlineData("http://proxy.example:99999", "port")]
    [InlineData("http://proxy.example:abc", "port")]
    [InlineData("http://user:secret@:80", "host")]
    [InlineData("http://proxy.example/path", "path")]
    [InlineData("", "empty")]
    public void RefusesWhatIsNotAProxy_WithoutRepeatingTheUrl(string text, string word)
    {
        Assert.False(ProxyEndpoint.TryParse(text, out _, out var problem));
        Assert.Contains(word, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", problem, StringComparison.Ordinal);
    }
}
