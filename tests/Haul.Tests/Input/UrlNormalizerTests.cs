using Haul.Input;

namespace Haul.Tests.Input;

public sealed class UrlNormalizerTests
{
    [Theory]
    [InlineData("HTTP://Example.COM/a.jpg", "http://example.com/a.jpg")]
    [InlineData("http://example.com:80/a.jpg", "http://example.com/a.jpg")]
    [InlineData("https://example.com:443/a.jpg", "https://example.com/a.jpg")]
    [InlineData("http://example.com:8080/a.jpg", "http://example.com:8080/a.jpg")]
    [InlineData("http://example.com/a.jpg#x", "http://example.com/a.jpg")]
    [InlineData("http://example.com/a.jpg?q=1#y", "http://example.com/a.jpg?q=1")]
    [InlineData("http://example.com/%7Euser/%41%62.jpg", "http://example.com/~user/Ab.jpg")]
    [InlineData("http://example.com/a%2fb%3a.jpg", "http://example.com/a%2Fb%3A.jpg")]
    [InlineData("http://example.com/a/./b/../c.jpg", "http://example.com/a/c.jpg")]
    [InlineData("http://example.com", "http://example.com/")]
    [InlineData("http://example.com/a%2ejpg", "http://example.com/a.jpg")]
    public void Normalize_OneFormForEachResource(string input, string expected) =>
        Assert.Equal(expected, UrlNormalizer.Normalize(new Uri(input)));

    [Fact]
    public void Normalize_IsIdempotent()
    {
        var once = UrlNormalizer.Normalize(new Uri("HTTP://Example.COM:80/%7e/a%2fb?x=%c3%a9#f"));

        Assert.Equal(once, UrlNormalizer.Normalize(new Uri(once)));
    }
}
