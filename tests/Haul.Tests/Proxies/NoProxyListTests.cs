using Haul.Proxies;

namespace Haul.Tests.Proxies;

public sealed class NoProxyListTests
{
    [Theory]
    [InlineData("example.com", "http://example.com/a", true)]
    [InlineData("example.com", "http://www.example.com/a", true)]
    [InlineData(".example.com", "http://www.example.com/a", true)]
    [InlineData(".example.com", "http://example.com/a", true)]
    [InlineData("example.com", "http://notexample.com/a", false)]
    [InlineData("example.com", "http://example.com.org/a", false)]
    [InlineData("EXAMPLE.com", "https://Example.COM/a", true)]
    [InlineData("other.org, example.com", "http://example.com/a", true)]
    [InlineData("*", "http://anything.example/a", true)]
    [InlineData("localhost,127.0.0.1", "http://127.0.0.1:8080/a", true)]
    [InlineData("127.0.0.1", "http://127.0.0.2/a", false)]
    [InlineData("10.0.0.0/8", "http://10.1.2.3/a", true)]
    [InlineData("10.0.0.0/8", "http://11.1.2.3/a", false)]
    [InlineData("::1", "http://[::1]:8080/a", true)]
    [InlineData("[::1]", "http://[::1]/a", true)]
    [InlineData("example.com:8080", "http://example.com:8080/a", true)]
    [InlineData("example.com:8080", "http://example.com/a", false)]
    [InlineData("", "http://example.com/a", false)]
    [InlineData("*.example.com", "http://www.example.com/a", false)]
    public void Matches_AsCurlDoes(string list, string url, bool direct)
    {
        Assert.Equal(direct, NoProxyList.Parse(list).Matches(new Uri(url)));
    }

    [Fact]
    public void StarAlone_MatchesAll_ButNotInsideAList()
    {
        Assert.True(NoProxyList.Parse(" * ").MatchesAll);
        Assert.False(NoProxyList.Parse("*,example.com").MatchesAll);
        Assert.False(NoProxyList.Parse(null).MatchesAll);
    }
}
